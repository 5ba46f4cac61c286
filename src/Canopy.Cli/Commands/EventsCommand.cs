using System.CommandLine;
using System.Globalization;
using System.Net.ServerSentEvents;
using System.Text.Json;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

/// <summary>
/// <c>canopy events [-f]</c>: the fleet's events (<c>GET /api/v1/events</c>), oldest first; with <c>-f</c> the same stream keeps
/// printing each new event until Ctrl-C, reconnecting after the last event printed when the root ends the stream.
/// </summary>
public static class EventsCommand
{
    private static readonly string[] Headers = ["ID", "TIME", "KIND", "STATUS", "SUBJECT", "REASON"];

    public static Command Build()
    {
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new events as they happen (Ctrl-C ends)" };
        var app = new Option<string?>("--app") { Description = "Only this application (name, name.namespace or id)" };
        var service = new Option<string?>("--service") { Description = "Only this service (id, job name, app.service or service name)" };
        var node = new Option<string?>("--node") { Description = "Only this node (name)" };
        var cluster = new Option<string?>("--cluster") { Description = "Only this cluster (name or id)" };
        var kind = new Option<string?>("--kind") { Description = $"Only this kind: {string.Join(", ", EventKinds.All)}" };
        kind.AcceptOnlyFromAmong([.. EventKinds.All]);
        var limit = new Option<int?>("--limit", "-n") { Description = "How many past events to show first (default 100, at most 1000)" };
        var command = new Command("events", "Instance state changes, placements, node and cluster liveness, with time and reason")
        {
            follow, app, service, node, cluster, kind, limit,
        };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var filters = new List<string>();
            var catalog = new ServiceCatalog(api);
            if (parse.GetValue(app) is { } a)
            {
                filters.Add("application=" + Uri.EscapeDataString(await IdOrGoneAsync(a, () => catalog.ApplicationAsync(a, ct), d => d.ApplicationId)));
            }

            if (parse.GetValue(service) is { } s)
            {
                filters.Add("service=" + Uri.EscapeDataString(await IdOrGoneAsync(s, () => catalog.ServiceAsync(s, ct), d => d.MicroserviceId)));
            }

            AddFilter(filters, "node", parse.GetValue(node));
            AddFilter(filters, "cluster", parse.GetValue(cluster));
            AddFilter(filters, "kind", parse.GetValue(kind));
            if (parse.GetValue(limit) is { } n)
            {
                filters.Add("limit=" + n.ToString(CultureInfo.InvariantCulture));
            }

            var query = string.Join("&", filters);
            if (!parse.GetValue(follow))
            {
                var events = await api.GetAsync<List<EventDocument>>($"api/v1/events?{query}", ct);
                if (output.IsJson)
                {
                    output.Json(events);
                }
                else if (events.Count == 0)
                {
                    output.Info("No events.");
                }
                else
                {
                    output.Table(Headers, events.Select(Row));
                }

                return ExitCodes.Success;
            }

            await FollowAsync(api, output, $"api/v1/events?follow=true&{query}", ct);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>
    /// Prints each event as it comes, one line each (a JSON object per line with <c>--output json</c>), until Ctrl-C. The root ends a
    /// stream when the token that opened it expires or the root stops; then it is opened again after the last event printed.
    /// </summary>
    private static async Task FollowAsync(ApiClient api, Output output, string path, CancellationToken ct)
    {
        var line = new LineFormat();
        if (!output.IsJson)
        {
            Console.Out.WriteLine(line.Header());
        }

        string? lastId = null;
        try
        {
            while (true)
            {
                using (var response = await api.OpenStreamAsync(path, lastId, ct))
                {
                    await using var body = await response.Content.ReadAsStreamAsync(ct);
                    try
                    {
                        await foreach (var item in SseParser.Create(body).EnumerateAsync(ct))
                        {
                            if (JsonSerializer.Deserialize<EventDocument>(item.Data, CanopyJson.Options) is not { } e)
                            {
                                continue;
                            }

                            Console.Out.WriteLine(output.IsJson ? JsonSerializer.Serialize(e, CanopyJson.Options) : line.Of(e));
                            lastId = item.EventId ?? lastId;
                        }
                    }
                    catch (Exception e) when (e is IOException or HttpRequestException && !ct.IsCancellationRequested)
                    {
                        // The connection broke: open it again below.
                    }
                }

                output.Warn("the event stream ended; opening it again");
                await Task.Delay(TimeSpan.FromSeconds(1), ct);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl-C: the end the user asked for.
        }
    }

    /// <summary>Events outlive what they name: an id that no longer resolves (a deleted application) is still a filter.</summary>
    private static async Task<string> IdOrGoneAsync<T>(string reference, Func<Task<T>> find, Func<T, string> id)
    {
        try
        {
            return id(await find());
        }
        catch (CliException e) when (e.ExitCode == ExitCodes.NotFound && IsObjectId(reference))
        {
            return reference;
        }
    }

    private static bool IsObjectId(string text) => text.Length == 24 && text.All(char.IsAsciiHexDigitLower);

    private static void AddFilter(List<string> filters, string name, string? value)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            filters.Add($"{name}={Uri.EscapeDataString(value)}");
        }
    }

    private static IReadOnlyList<string> Row(EventDocument e) =>
        [e.Id.ToString(CultureInfo.InvariantCulture), Time(e), e.Kind, e.Status, Subject(e), e.Reason];

    private static string Time(EventDocument e) => e.Time.ToLocalTime().ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    /// <summary>What the event is about, as the other commands name it.</summary>
    private static string Subject(EventDocument e) => e.Kind switch
    {
        EventKinds.Node => $"node {e.NodeName}" + (e.ClusterName is { } c ? $" ({c})" : ""),
        EventKinds.Cluster => $"cluster {e.ClusterName}",
        _ => $"{e.ApplicationName}.{e.ServiceName} #{e.InstanceNumber}" + (e.NodeName is { } n ? $" on {n}" : ""),
    };

    /// <summary>One event per line, in columns wide enough for the usual values, so a live stream reads like the table.</summary>
    private sealed class LineFormat
    {
        public string Header() => Of(Headers);

        public string Of(EventDocument e) => Of(Row(e));

        private static string Of(IReadOnlyList<string> cells) =>
            $"{cells[0],-6} {cells[1],-19} {cells[2],-9} {cells[3],-18} {cells[4],-32} {cells[5]}".TrimEnd();
    }
}
