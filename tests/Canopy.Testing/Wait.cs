namespace Canopy.Testing;

/// <summary>Waits for a condition with a deadline, never a bare sleep.</summary>
public static class Wait
{
    /// <param name="poll">Between probes; 100 ms unless a measurement needs a finer resolution.</param>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, TimeSpan? poll = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        Exception? lastError = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await probe();
                if (done(last))
                {
                    return last;
                }

                lastError = null;
            }
            catch (Exception e)
            {
                lastError = e;
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(100));
        }

        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}. Last: {last}{(lastError is null ? "" : " / error: " + lastError.Message)}");
    }

    public static Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what) =>
        ForAsync(condition, ok => ok, timeout, what);
}
