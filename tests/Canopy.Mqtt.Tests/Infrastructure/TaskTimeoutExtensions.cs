namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>Deadline-bound waits with a message that says what was awaited.</summary>
internal static class TaskTimeoutExtensions
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task Within(this Task task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
        }
    }

    public static async Task<T> Within<T>(this Task<T> task, string what, TimeSpan? timeout = null)
    {
        var limit = timeout ?? DefaultTimeout;
        try
        {
            return await task.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Timed out after {limit.TotalSeconds:0.#} s waiting for {what}");
        }
    }
}
