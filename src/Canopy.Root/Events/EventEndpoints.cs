using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Auth;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Timeouts;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Canopy.Root.Events;

/// <summary>
/// <c>GET /api/v1/events</c>: the fleet's events, oldest first; with <c>follow=true</c> a Server-Sent Events stream of that backlog and
/// then every event as it is stored. Each caller sees their organization's instance and placement events (Admin: all) and, with a
/// role that may see infrastructure, node and cluster events.
/// </summary>
internal static class EventEndpoints
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;

    public static void MapEvents(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/v1/events", GetAsync).WithTags("events").RequireAuthorization(Policies.Events)
            .Produces<List<EventDocument>>().Produces(StatusCodes.Status200OK, contentType: "text/event-stream")
            .WithSummary("Instance transitions, placements, node and cluster liveness, oldest first (the newest `limit`, default 100, " +
                "at most 1000; after `after` when given). Filters: application, service (ids), node (name), cluster (id or name), kind " +
                "(instance, placement, node, cluster). `follow=true` answers text/event-stream: that backlog, then each new event " +
                "(`id`, `event: <kind>`, `data: <event JSON>`), a `: keep-alive` comment every 15 s; `Last-Event-ID` resumes like `after`.");

    private static async Task<IResult> GetAsync(
        HttpContext context, ClaimsPrincipal user, IRootStore store, EventFeed feed, IOptions<JsonOptions> json, RootOptions options,
        IHostApplicationLifetime lifetime, string? application, string? service, string? node, string? cluster, string? kind,
        string? after, string? limit, string? follow, CancellationToken ct)
    {
        var query = Query(context, user, application, service, node, cluster, kind, after, limit);
        if (!IsTrue(follow, "follow"))
        {
            return Results.Ok((await store.ListEventsAsync(query, ct)).Select(e => e.Event).ToList());
        }

        // A stream lasts as long as its reader, but no longer than the token that opened it, nor than this process.
        context.Features.Get<IHttpRequestTimeoutFeature>()?.DisableTimeout();
        using var lasting = CancellationTokenSource.CreateLinkedTokenSource(ct, lifetime.ApplicationStopping);
        if (TokenExpiry(user) is { } expiry)
        {
            lasting.CancelAfter(expiry);
        }

        await new EventStream(context.Response, json.Value.SerializerOptions, options.EventKeepAlive)
            .RunAsync(store, feed, query, after is not null || context.Request.Headers.ContainsKey("Last-Event-ID"), lasting.Token);
        return Results.Empty;
    }

    private static EventQuery Query(
        HttpContext context, ClaimsPrincipal user, string? application, string? service, string? node, string? cluster, string? kind,
        string? after, string? limit)
    {
        var errors = new List<string>();
        if (kind is not null && !EventKinds.All.Contains(kind))
        {
            errors.Add($"kind: '{kind}' is not a kind of event; use one of {string.Join(", ", EventKinds.All)}");
        }

        var take = DefaultLimit;
        if (limit is not null && (!int.TryParse(limit, NumberStyles.None, CultureInfo.InvariantCulture, out take) || take is < 1 or > MaxLimit))
        {
            errors.Add($"limit: '{limit}' is not a number from 1 to {MaxLimit}");
        }

        var resume = after ?? (context.Request.Headers.TryGetValue("Last-Event-ID", out var header) ? header.ToString() : null);
        long from = 0;
        if (resume is not null && !long.TryParse(resume, NumberStyles.None, CultureInfo.InvariantCulture, out from))
        {
            errors.Add(after is not null
                ? $"after: '{after}' is not an event id (a whole number, the id of the last event seen)"
                : $"Last-Event-ID: '{resume}' is not an event id (a whole number, the id of the last event seen)");
        }

        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(string.Join("; ", errors), errors);
        }

        return new EventQuery
        {
            ApplicationId = Blank(application),
            ServiceId = Blank(service),
            NodeName = Blank(node),
            Cluster = Blank(cluster),
            Kind = kind,
            After = from,
            Limit = take,
            Workloads = Policies.RolesOf[Policies.Workloads].Any(user.IsInRole),
            Infrastructure = Policies.RolesOf[Policies.Infrastructure].Any(user.IsInRole),
            OrganizationId = user.IsAdmin() ? null : user.OrganizationId(),
        };
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static bool IsTrue(string? value, string name) => value switch
    {
        null or "" or "false" or "0" => false,
        "true" or "1" => true,
        _ => throw ApiProblem.BadRequest($"{name}: '{value}' is not true or false", [$"{name}: true or false"]),
    };

    private static TimeSpan? TokenExpiry(ClaimsPrincipal user) =>
        long.TryParse(user.FindFirst("exp")?.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var exp)
            ? TimeSpan.FromSeconds(Math.Max(0, exp - DateTimeOffset.UtcNow.ToUnixTimeSeconds()))
            : null;

    /// <summary>One SSE response: the backlog, then live events and keep-alive comments until the reader or the stream ends.</summary>
    private sealed class EventStream(HttpResponse response, JsonSerializerOptions json, TimeSpan keepAlive)
    {
        public async Task RunAsync(IRootStore store, EventFeed feed, EventQuery query, bool resuming, CancellationToken ct)
        {
            using var subscription = await feed.SubscribeAsync(ct);
            response.ContentType = "text/event-stream";
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            response.HttpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
            await response.StartAsync(ct);
            try
            {
                await WriteBacklogAsync(store, query, subscription.Start, resuming, ct);
                await WriteLiveAsync(subscription, query, ct);
            }
            catch (OperationCanceledException)
            {
                // The reader went, the token expired, or the root stops: the stream simply ends (a reader resumes with Last-Event-ID).
            }
        }

        /// <summary>A resuming reader gets everything after its last event (in pages); a new one the newest <c>limit</c>.</summary>
        private async Task WriteBacklogAsync(IRootStore store, EventQuery query, long upTo, bool resuming, CancellationToken ct)
        {
            var page = query with { UpTo = upTo, Oldest = resuming, Limit = resuming ? MaxLimit : query.Limit };
            while (true)
            {
                var events = await store.ListEventsAsync(page, ct);
                foreach (var stored in events)
                {
                    await WriteEventAsync(stored.Event, ct);
                }

                await response.Body.FlushAsync(ct);
                if (!resuming || events.Count < page.Limit)
                {
                    return;
                }

                page = page with { After = events[^1].Event.Id };
            }
        }

        private async Task WriteLiveAsync(EventSubscription subscription, EventQuery query, CancellationToken ct)
        {
            var live = query with { After = subscription.Start, UpTo = null };
            while (true)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
                wait.CancelAfter(keepAlive);
                bool more;
                try
                {
                    more = await subscription.Events.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    await WriteAsync(": keep-alive\n\n", ct);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (subscription.Events.TryRead(out var stored))
                {
                    if (live.Matches(stored))
                    {
                        await WriteEventAsync(stored.Event, ct);
                    }
                }

                await response.Body.FlushAsync(ct);
            }
        }

        private Task WriteEventAsync(EventDocument e, CancellationToken ct) =>
            WriteAsync(string.Create(CultureInfo.InvariantCulture,
                $"id: {e.Id}\nevent: {e.Kind}\ndata: {JsonSerializer.Serialize(e, json)}\n\n"), ct);

        private async Task WriteAsync(string text, CancellationToken ct)
        {
            await response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), ct);
            if (text.StartsWith(':'))
            {
                await response.Body.FlushAsync(ct);
            }
        }
    }
}
