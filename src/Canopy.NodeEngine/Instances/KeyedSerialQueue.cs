namespace Canopy.NodeEngine.Instances;

/// <summary>
/// Runs operations on the same instance one after the other, in the order they were asked for (a deploy followed
/// by a delete must not overtake each other), while different instances proceed in parallel.
/// </summary>
internal sealed class KeyedSerialQueue
{
    private readonly Dictionary<InstanceKey, Task> _tails = new();
    private readonly Lock _lock = new();

    /// <summary>Queues <paramref name="operation"/> behind the ones already queued for <paramref name="key"/>; the queueing itself is synchronous.</summary>
    public Task<T> Enqueue<T>(InstanceKey key, Func<Task<T>> operation)
    {
        Task<T> task;
        lock (_lock)
        {
            var previous = _tails.GetValueOrDefault(key) ?? Task.CompletedTask;
            task = RunAfterAsync(previous, operation);
            _tails[key] = task;
        }

        _ = task.ContinueWith(
            finished =>
            {
                lock (_lock)
                {
                    if (_tails.TryGetValue(key, out var tail) && tail == finished)
                    {
                        _tails.Remove(key);
                    }
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return task;
    }

    private static async Task<T> RunAfterAsync<T>(Task previous, Func<Task<T>> operation)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The previous operation's failure belongs to its own caller.
        }

        return await operation().ConfigureAwait(false);
    }
}
