using System.Threading.Channels;

namespace Canopy.Cluster.Net;

/// <summary>
/// Wakes the <see cref="NetTablePublisher"/>: something its tables depend on may have changed (an instance's state or address, a
/// node, a spec, the root's table). Signals coalesce; the publisher recomputes everything and sends only what differs.
/// </summary>
internal sealed class NetChanges
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private int _rootLinkUp;
    private int _brokerReconnected;

    public void Changed() => _channel.Writer.TryWrite(true);

    /// <summary>A new root link: the root gets <c>net_nodes</c> again after its <c>hello</c>, changed or not.</summary>
    public void RootLinkUp()
    {
        Interlocked.Exchange(ref _rootLinkUp, 1);
        Changed();
    }

    /// <summary>The cluster reconnected to its broker, which may have restarted and lost every retained table: publish them all again.</summary>
    public void BrokerReconnected()
    {
        Interlocked.Exchange(ref _brokerReconnected, 1);
        Changed();
    }

    public ValueTask<bool> WaitAsync(CancellationToken ct) => _channel.Reader.ReadAsync(ct);

    /// <summary>Drops a signal that arrived while the publisher waited out its debounce: the next computation covers it.</summary>
    public void Drain() => _channel.Reader.TryRead(out _);

    public bool TakeRootLinkUp() => Interlocked.Exchange(ref _rootLinkUp, 0) == 1;

    public bool TakeBrokerReconnected() => Interlocked.Exchange(ref _brokerReconnected, 0) == 1;
}
