namespace Canopy.Cluster.Instances;

/// <summary>
/// The one lock around every change of the cluster's state (node messages, root commands, failure detection, scheduling).
/// One change at a time keeps the scheduler's reservations true and the transitions checked against the current status.
/// Nothing awaits network replies while holding it: commands to nodes and messages to the root are queued.
/// </summary>
internal sealed class ClusterGate
{
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    public async Task RunAsync(Func<Task> action, CancellationToken ct)
    {
        await _semaphore.WaitAsync(ct);
        try
        {
            await action();
        }
        finally
        {
            _semaphore.Release();
        }
    }

    public async Task<T> RunAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        await _semaphore.WaitAsync(ct);
        try
        {
            return await action();
        }
        finally
        {
            _semaphore.Release();
        }
    }
}
