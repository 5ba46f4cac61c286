using System.Net.Sockets;
using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

/// <summary>
/// One TCP connection to the broker (plain, or TLS over it) and its per-connection state (keep-alive timestamps, loops).
/// Writes are serialised by the client's writer lock; only the read loop uses <see cref="Reader"/>.
/// </summary>
internal sealed class MqttConnection
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _cts = new();
    private readonly TaskCompletionSource<Exception?> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _closedFlag;
    private long _lastSendTicks;
    private long _lastReceiveTicks;
    private long _writeStartedTicks;
    private long _pingSentTicks;
    private volatile bool _pingOutstanding;
    private volatile bool _readerPaused;

    /// <param name="stream">The socket's stream, or the TLS stream over it; disposed with the connection.</param>
    public MqttConnection(int id, Socket socket, Stream stream, int maxIncomingPacketSize)
    {
        Id = id;
        _socket = socket;
        _stream = stream;
        Reader = new MqttPacketReader(_stream, maxIncomingPacketSize);
        Token = _cts.Token;
        var now = Environment.TickCount64;
        _lastSendTicks = now;
        _lastReceiveTicks = now;
        OpenedTicks = now;
    }

    public int Id { get; }

    public MqttPacketReader Reader { get; }

    /// <summary>Cancelled when the connection closes; aborts pending reads and writes.</summary>
    public CancellationToken Token { get; }

    /// <summary>Completes (with the error, or null for a clean close) when the connection is closed.</summary>
    public Task<Exception?> Closed => _closed.Task;

    public bool IsClosed => Volatile.Read(ref _closedFlag) != 0;

    public long OpenedTicks { get; }

    public long LastSendTicks => Interlocked.Read(ref _lastSendTicks);

    public long LastReceiveTicks => Interlocked.Read(ref _lastReceiveTicks);

    /// <summary>Tick count when the write in progress started, 0 when idle.</summary>
    public long WriteStartedTicks => Interlocked.Read(ref _writeStartedTicks);

    /// <summary>A PINGREQ was issued and nothing has been received since.</summary>
    public bool PingOutstanding => _pingOutstanding;

    /// <summary>When the outstanding PINGREQ was issued.</summary>
    public long PingSentTicks => Interlocked.Read(ref _pingSentTicks);

    /// <summary>The read loop is blocked handing a message to a full handler queue (back-pressure).</summary>
    public bool ReaderPaused
    {
        get => _readerPaused;
        set => _readerPaused = value;
    }

    public Task ReadLoop { get; set; } = Task.CompletedTask;

    public Task KeepAliveLoop { get; set; } = Task.CompletedTask;

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data)
    {
        Interlocked.Exchange(ref _writeStartedTicks, Environment.TickCount64);
        try
        {
            await _stream.WriteAsync(data, Token).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Exchange(ref _writeStartedTicks, 0);
        }

        Interlocked.Exchange(ref _lastSendTicks, Environment.TickCount64);
    }

    public void MarkReceived()
    {
        Interlocked.Exchange(ref _lastReceiveTicks, Environment.TickCount64);
        _pingOutstanding = false;
    }

    public void MarkPingSent(long now)
    {
        Interlocked.Exchange(ref _pingSentTicks, now);
        _pingOutstanding = true;
    }

    /// <summary>Flags the connection closed; true only for the first caller.</summary>
    public bool TryMarkClosed() => Interlocked.Exchange(ref _closedFlag, 1) == 0;

    /// <summary>Releases the socket and completes <see cref="Closed"/>. Call after <see cref="TryMarkClosed"/>.</summary>
    public void Teardown(Exception? error, bool graceful)
    {
        if (graceful)
        {
            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
            {
                // Already gone.
            }
        }

        _cts.Cancel();
        _stream.Dispose();
        _socket.Dispose();
        _closed.TrySetResult(error);
    }

    /// <summary>Resets the TCP connection (RST) without any MQTT goodbye, like a crashed client.</summary>
    public void Abort()
    {
        try
        {
            _socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // Already gone.
        }

        _socket.Dispose();
    }
}
