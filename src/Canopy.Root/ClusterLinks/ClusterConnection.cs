using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Link;

namespace Canopy.Root.ClusterLinks;

/// <summary>
/// One open WebSocket from a cluster. Every outgoing message goes through one queue and one writer loop (a WebSocket
/// allows only one send at a time); the reader is the link session's loop.
/// </summary>
internal sealed class ClusterConnection(string clusterId, string clusterName, WebSocket socket, Metrics.RootMetrics? metrics = null)
{
    /// <summary>A bigger message is refused: a hello for thousands of instances stays far below it.</summary>
    private const int MaxMessageBytes = 16 * 1024 * 1024;

    private readonly Channel<LinkMessage> _outgoing = Channel.CreateUnbounded<LinkMessage>(new UnboundedChannelOptions { SingleReader = true });
    private long _sequence;
    private string _closeReason = "link closed";

    public string ClusterId { get; } = clusterId;
    public string ClusterName { get; } = clusterName;

    /// <summary>The cluster's clock minus the root's, from its last hello or resources message.</summary>
    public TimeSpan? ClockSkew { get; set; }

    /// <summary>Queues a message; false when the connection is closing.</summary>
    public bool TrySend<T>(string type, T payload) =>
        _outgoing.Writer.TryWrite(LinkMessage.Create(type, Interlocked.Increment(ref _sequence), payload));

    /// <summary>Stops accepting messages; the writer sends what is queued, then the close frame.</summary>
    public void Close(string reason)
    {
        _closeReason = reason;
        _outgoing.Writer.TryComplete();
    }

    public async Task RunWriterAsync(CancellationToken ct)
    {
        try
        {
            await foreach (var message in _outgoing.Reader.ReadAllAsync(ct))
            {
                var bytes = JsonSerializer.SerializeToUtf8Bytes(message, CanopyJson.Options);
                await socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, ct);
                metrics?.LinkMessage("sent", message.Type, bytes.Length);
            }

            if (socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, _closeReason, ct);
            }
        }
        catch (Exception e) when (e is WebSocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // The reader sees the broken socket too and ends the session.
        }
        finally
        {
            _outgoing.Writer.TryComplete();
        }
    }

    /// <summary>The next message, or null when the cluster closed the link.</summary>
    public async Task<LinkMessage?> ReceiveAsync(CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer.GetMemory(4096), ct);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            buffer.Advance(result.Count);
            if (buffer.WrittenCount > MaxMessageBytes)
            {
                throw new InvalidDataException($"link message larger than {MaxMessageBytes} bytes");
            }

            if (result.EndOfMessage)
            {
                var message = JsonSerializer.Deserialize<LinkMessage>(buffer.WrittenSpan, CanopyJson.Options)
                    ?? throw new JsonException("link message is JSON null");
                metrics?.LinkMessage("received", message.Type, buffer.WrittenCount);
                return message;
            }
        }
    }
}
