namespace Canopy.Root.Tests.Infrastructure;

/// <summary>Polls a condition until it holds or a deadline passes; the failure says what was awaited.</summary>
internal static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    public static async Task<T> ValueAsync<T>(Func<Task<T>> probe, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var last = await probe();
        while (!done(last))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"timed out waiting for {what}; last value: {last}");
            }

            await Task.Delay(100);
            last = await probe();
        }

        return last;
    }
}
