namespace Canopy.Cluster.Tests.Support;

/// <summary>
/// A list that tests can wait on: <see cref="WaitForAsync"/> re-checks its condition each time an item arrives, until a deadline.
/// </summary>
internal sealed class RecordedList<T>
{
    private readonly Lock _lock = new();
    private readonly List<T> _items = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<T> Snapshot()
    {
        lock (_lock)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        TaskCompletionSource changed;
        lock (_lock)
        {
            _items.Add(item);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }

    public async Task<T> WaitForAsync(Func<T, bool> predicate, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Waits.Default);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                foreach (var item in _items)
                {
                    if (predicate(item))
                    {
                        return item;
                    }
                }

                changed = _changed.Task;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"Timed out waiting for {what}; got {_items.Count} item(s): {Describe()}");
            }

            await Task.WhenAny(changed, Task.Delay(left));
        }
    }

    private string Describe()
    {
        lock (_lock)
        {
            return string.Join(" | ", _items.TakeLast(15));
        }
    }
}
