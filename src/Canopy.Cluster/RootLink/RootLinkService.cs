using System.Net;
using System.Net.WebSockets;
using Canopy.Contracts.Registration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// The cluster's end of the root link: registers, then keeps one WebSocket to <c>/api/v1/clusters/{id}/link</c> open,
/// reconnecting with back-off. With several root addresses (replicas of one root) it links to one; when that link breaks it moves
/// to the next address at once, and a replica that is not the leader (<see cref="LeaderHint"/>) sends it to the leader. Each connection starts with <c>hello</c> (every instance) and <c>resources</c>; then it carries
/// status changes at once, resources on change and as heartbeat, metrics periodically, and the root's commands the other way.
/// Without the root the cluster goes on working; the next <c>hello</c> catches the root up.
/// </summary>
internal sealed partial class RootLinkService(
    RootRegistration registration, RootLinkSession.Factory sessions, ClusterReadiness readiness, ClusterOptions options, RootTrust trust,
    RootAddresses addresses, TimeProvider time, ILogger<RootLinkService> logger) : BackgroundService
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    /// <summary>A root that stops answering pings (stopped, cut off) is left after interval + timeout, for another replica.</summary>
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = trust.CreateHttpClient(TimeSpan.FromSeconds(10));
        ClusterRegisterResponse? registered = null;
        var pace = new FailoverPace(addresses, options.RootFailoverDelay, MinDelay, MaxDelay);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                registered ??= await registration.RegisterAsync(http, stoppingToken);
                readiness.SetClusterId(registered.Id);
                var root = addresses.Current;
                var uri = LinkUri(root, registered.Id);
                using var socket = new ClientWebSocket();
                trust.Configure(socket);
                socket.Options.SetRequestHeader("Authorization", $"Bearer {registered.Credential}");
                socket.Options.KeepAliveInterval = PingInterval;
                socket.Options.KeepAliveTimeout = PingTimeout;
                socket.Options.CollectHttpResponseDetails = true;
                var linked = false;
                string? leader = null;
                try
                {
                    using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                    {
                        connect.CancelAfter(ConnectTimeout);
                        await socket.ConnectAsync(uri, connect.Token);
                    }

                    linked = true;
                    pace.Succeeded();
                    readiness.SetRoot(root, time.GetUtcNow());
                    Log.Connected(logger, uri);
                    await sessions(socket, registered.Id).RunAsync(stoppingToken);
                }
                catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    // The root forgot us or our credential (e.g. its database was reset): register again.
                    Log.Refused(logger, uri, (int)socket.HttpStatusCode);
                    registered = null;
                }
                catch (WebSocketException) when ((leader = LeaderHint.FromHeaders(socket.HttpStatusCode, socket.HttpResponseHeaders, uri.ToString())) is not null ||
                                                 LeaderHint.IsNotLeader(socket.HttpStatusCode))
                {
                    // A replica that is not the leader: go where it points (or, while no leader is known, to the next address).
                    Log.NotLeader(logger, uri, (int)socket.HttpStatusCode, leader ?? "(not known yet)");
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested &&
                                          e is WebSocketException or IOException or OperationCanceledException or HttpRequestException)
                {
                    if (trust.Refusal(e) is { } refusal)
                    {
                        Log.NotTrusted(logger, uri, refusal);
                    }
                    else
                    {
                        Log.Lost(logger, uri, e.Message);
                    }
                }
                finally
                {
                    readiness.SetLinkDown();
                }

                await Task.Delay(linked ? pace.Lost() : pace.Failed(leader), time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            readiness.SetStopped();
        }
    }

    private static Uri LinkUri(string rootUrl, string clusterId)
    {
        var root = new UriBuilder(rootUrl.TrimEnd('/') + "/");
        root.Scheme = root.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return new Uri(root.Uri, $"api/v1/clusters/{Uri.EscapeDataString(clusterId)}/link");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.LinkConnected, Level = LogLevel.Information, Message = "Root link up: {Uri}")]
        public static partial void Connected(ILogger logger, Uri uri);

        [LoggerMessage(EventId = EventIds.LinkLost, Level = LogLevel.Warning, Message = "Root link {Uri} down: {Error}; reconnecting")]
        public static partial void Lost(ILogger logger, Uri uri, string error);

        [LoggerMessage(EventId = EventIds.RootNotTrusted, Level = LogLevel.Error,
            Message = "Refused the root at {Uri} before sending anything: {Reason}. Reconnecting")]
        public static partial void NotTrusted(ILogger logger, Uri uri, string reason);

        [LoggerMessage(EventId = EventIds.RootNotLeader, Level = LogLevel.Information,
            Message = "The root replica at {Uri} is not the leader ({Status}); the leader: {Leader}")]
        public static partial void NotLeader(ILogger logger, Uri uri, int status, string leader);

        [LoggerMessage(EventId = EventIds.LinkRefused, Level = LogLevel.Warning, Message = "The root refused the link {Uri} ({Status}); registering again")]
        public static partial void Refused(ILogger logger, Uri uri, int status);
    }
}
