namespace Canopy.NodeEngine.Tests.Support;

/// <summary>Deadlines instead of sleeps: poll a condition until it holds or the deadline passes, then fail with what was seen last.</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task<T> Until<T>(Func<T?> probe, Func<T?, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = probe();
            if (done(last))
            {
                return last!;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Timed out waiting for {what}; last seen: {Describe(last)}");
    }

    public static async Task<T> UntilAsync<T>(Func<Task<T?>> probe, Func<T?, bool> done, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        T? last = default;
        Exception? error = null;
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                last = await probe();
                error = null;
                if (done(last))
                {
                    return last!;
                }
            }
            catch (Exception e) when (e is not ShouldAssertException)
            {
                error = e;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Timed out waiting for {what}; last seen: {Describe(last)} {error?.Message}");
    }

    public static Task True(Func<bool> condition, string what, TimeSpan? timeout = null) =>
        Until(() => condition() ? "yes" : null, v => v is not null, what, timeout);

    private static string Describe<T>(T? value) => value switch
    {
        null => "nothing",
        Contracts.InstanceReport report => Contracts.CanopyJson.Serialize(report),
        _ => value.ToString() ?? "",
    };
}
