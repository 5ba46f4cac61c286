namespace Canopy.Cluster.Tests.Support;

internal static class Waits
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(15);

    /// <summary>Polls a condition that has no event to wait on (state behind an HTTP API) until it holds or the deadline passes.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Default);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting until {what}");
            }

            await Task.Delay(50);
        }
    }

    public static async Task<T> WithDeadline<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        try
        {
            return await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}");
        }
    }

    public static async Task WithDeadline(this Task task, string what, TimeSpan? timeout = null)
    {
        try
        {
            await task.WaitAsync(timeout ?? Default);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out waiting for {what}");
        }
    }
}
