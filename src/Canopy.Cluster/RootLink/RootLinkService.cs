using System.Net;
using System.Net.WebSockets;
using Canopy.Contracts.Registration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// The cluster's end of the root link: registers, then keeps one WebSocket to <c>/api/v1/clusters/{id}/link</c> open,
/// reconnecting with back-off. Each connection starts with <c>hello</c> (every instance) and <c>resources</c>; then it carries
/// status changes at once, resources on change and as heartbeat, metrics periodically, and the root's commands the other way.
/// Without the root the cluster goes on working; the next <c>hello</c> catches the root up.
/// </summary>
internal sealed partial class RootLinkService(
    RootRegistration registration, RootLinkSession.Factory sessions, ClusterReadiness readiness, ClusterOptions options, RootTrust trust,
    ILogger<RootLinkService> logger) : BackgroundService
{
    private static readonly TimeSpan MinDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var http = trust.CreateHttpClient(TimeSpan.FromSeconds(10));
        ClusterRegisterResponse? registered = null;
        var delay = MinDelay;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                registered ??= await registration.RegisterAsync(http, stoppingToken);
                readiness.SetClusterId(registered.Id);
                var uri = LinkUri(registered.Id);
                using var socket = new ClientWebSocket();
                trust.Configure(socket);
                socket.Options.SetRequestHeader("Authorization", $"Bearer {registered.Credential}");
                socket.Options.KeepAliveInterval = TimeSpan.FromSeconds(10);
                socket.Options.CollectHttpResponseDetails = true;
                try
                {
                    using (var connect = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                    {
                        connect.CancelAfter(ConnectTimeout);
                        await socket.ConnectAsync(uri, connect.Token);
                    }

                    delay = MinDelay;
                    Log.Connected(logger, uri);
                    await sessions(socket, registered.Id).RunAsync(stoppingToken);
                }
                catch (WebSocketException) when (socket.HttpStatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    // The root forgot us or our credential (e.g. its database was reset): register again.
                    Log.Refused(logger, uri, (int)socket.HttpStatusCode);
                    registered = null;
                }
                catch (Exception e) when (!stoppingToken.IsCancellationRequested &&
                                          e is WebSocketException or IOException or OperationCanceledException or HttpRequestException)
                {
                    if (trust.Refusal(e) is { } refusal)
                    {
                        Log.NotTrusted(logger, uri, refusal, delay.TotalSeconds);
                    }
                    else
                    {
                        Log.Lost(logger, uri, e.Message, delay.TotalSeconds);
                    }
                }
                finally
                {
                    readiness.SetLinkDown();
                }

                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));
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

    private Uri LinkUri(string clusterId)
    {
        var root = new UriBuilder(options.RootUrl.TrimEnd('/') + "/");
        root.Scheme = root.Scheme == Uri.UriSchemeHttps ? "wss" : "ws";
        return new Uri(root.Uri, $"api/v1/clusters/{Uri.EscapeDataString(clusterId)}/link");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.LinkConnected, Level = LogLevel.Information, Message = "Root link up: {Uri}")]
        public static partial void Connected(ILogger logger, Uri uri);

        [LoggerMessage(EventId = EventIds.LinkLost, Level = LogLevel.Warning, Message = "Root link {Uri} down: {Error}; reconnecting in {Seconds} s")]
        public static partial void Lost(ILogger logger, Uri uri, string error, double seconds);

        [LoggerMessage(EventId = EventIds.RootNotTrusted, Level = LogLevel.Error,
            Message = "Refused the root at {Uri} before sending anything: {Reason}. Reconnecting in {Seconds} s")]
        public static partial void NotTrusted(ILogger logger, Uri uri, string reason, double seconds);

        [LoggerMessage(EventId = EventIds.LinkRefused, Level = LogLevel.Warning, Message = "The root refused the link {Uri} ({Status}); registering again")]
        public static partial void Refused(ILogger logger, Uri uri, int status);
    }
}
