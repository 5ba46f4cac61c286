namespace Canopy.Cri.Tests.Integration;

/// <summary>Waits for a condition with a deadline by polling; never a bare sleep as synchronisation.</summary>
internal static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(50);

    /// <param name="retryOn">Errors that mean "not yet" (default: none; any error fails at once).</param>
    public static async Task<T> ForAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what, Func<Exception, bool>? retryOn = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        T last = default!;
        Exception? lastError = null;
        while (true)
        {
            try
            {
                last = await probe();
                lastError = null;
                if (done(last))
                {
                    return last;
                }
            }
            catch (Exception e) when (retryOn?.Invoke(e) == true)
            {
                lastError = e;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException(
                    $"waited {timeout.TotalSeconds:0.#} s for {what}; last: {(lastError is null ? last?.ToString() : lastError.Message)}");
            }

            await Task.Delay(Interval);
        }
    }
}
