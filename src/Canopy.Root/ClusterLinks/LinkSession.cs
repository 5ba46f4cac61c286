using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Canopy.Contracts.Link;
using Canopy.Root.Networking;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.ClusterLinks;

/// <summary>The life of one accepted link: register it, read and handle messages in order, and forget it when it ends.</summary>
internal sealed partial class LinkSession(
    LinkHub hub, LinkMessageHandler handler, NetTableRelay relay, IHostApplicationLifetime lifetime, Metrics.RootMetrics metrics, ILogger<LinkSession> log)
{
    /// <summary>How long a closing link may take to exchange close frames before it is cut.</summary>
    private static readonly TimeSpan CloseGrace = TimeSpan.FromSeconds(2);

    public async Task RunAsync(ClusterRecord cluster, WebSocket socket, CancellationToken requestAborted)
    {
        var connection = new ClusterConnection(cluster.Id, cluster.Name, socket, metrics);
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);

        // Shutdown closes the link politely first; the cut is the fallback for a cluster that does not answer.
        using var stopping = lifetime.ApplicationStopping.Register(() =>
        {
            connection.Close("root shutting down");
            cut.CancelAfter(CloseGrace);
        });
        hub.Register(connection);
        LinkOpened(cluster.Name, cluster.Id);
        var writer = connection.RunWriterAsync(cut.Token);
        var reason = "closed by the cluster";
        try
        {
            await InboundAsync(connection, cut.Token);
        }
        catch (OperationCanceledException)
        {
            reason = lifetime.ApplicationStopping.IsCancellationRequested ? "root shutting down" : "connection aborted";
        }
        catch (Exception e) when (e is WebSocketException or IOException or InvalidDataException)
        {
            reason = e.Message;
        }
        finally
        {
            hub.Unregister(connection);
            relay.Disconnected(connection.ClusterId);
            connection.Close("link closed");
            try
            {
                await writer.WaitAsync(CloseGrace);
            }
            catch (TimeoutException)
            {
                await cut.CancelAsync();
            }
            catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
            {
                // The socket is gone already; there is nothing left to close.
            }

            LinkLost(cluster.Name, reason);
        }
    }

    private async Task ReadLoopAsync(ClusterConnection connection, ChannelWriter<LinkMessage> inbox, CancellationToken ct)
    {
        while (true)
        {
            LinkMessage? message;
            try
            {
                message = await connection.ReceiveAsync(ct);
            }
            catch (JsonException e)
            {
                BadMessage(connection.ClusterName, "?", e.Message);
                continue;
            }

            if (message is null)
            {
                return;
            }

            await inbox.WriteAsync(message, ct);
        }
    }

    private async Task HandleAsync(ClusterConnection connection, LinkMessage message, CancellationToken ct)
    {
        try
        {
            await handler.HandleAsync(connection, message, ct);
        }
        catch (JsonException e)
        {
            BadMessage(connection.ClusterName, message.Type, e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // One message that fails must not take the link down; the next hello reconciles what it missed.
            HandlingFailed(e, connection.ClusterName, message.Type);
        }
    }

    [LoggerMessage(EventId = 1421, Level = LogLevel.Information, Message = "Cluster {Cluster} ({ClusterId}) linked")]
    private partial void LinkOpened(string cluster, string clusterId);

    [LoggerMessage(EventId = 1422, Level = LogLevel.Warning, Message = "Link to cluster {Cluster} lost: {Reason}; the cluster is inactive")]
    private partial void LinkLost(string cluster, string reason);

    [LoggerMessage(EventId = 1423, Level = LogLevel.Warning, Message = "Cluster {Cluster} sent a malformed '{Type}' message: {Error}")]
    private partial void BadMessage(string cluster, string type, string error);

    [LoggerMessage(EventId = 1424, Level = LogLevel.Error, Message = "Handling a '{Type}' message from cluster {Cluster} failed")]
    private partial void HandlingFailed(Exception e, string cluster, string type);
}
