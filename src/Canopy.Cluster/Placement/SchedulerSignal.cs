using System.Threading.Channels;

namespace Canopy.Cluster.Placement;

/// <summary>Wakes the retry loop before its next tick, e.g. when a node arrives and waiting instances may now fit.</summary>
internal sealed class SchedulerSignal
{
    private readonly Channel<bool> _channel = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public void Kick() => _channel.Writer.TryWrite(true);

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
        tick.CancelAfter(timeout);
        try
        {
            await _channel.Reader.ReadAsync(tick.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The interval passed without a kick.
        }
    }
}
