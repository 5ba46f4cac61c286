namespace Canopy.Core.States;

/// <summary>
/// The restart policy and its back-off, as pure arithmetic: the node engine asks, then acts.
/// </summary>
public static class RestartRules
{
    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(250);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    /// <summary>A run that lasted this long resets the back-off: the instance was healthy.</summary>
    public static readonly TimeSpan StableRun = TimeSpan.FromSeconds(60);

    /// <summary>The delay before restart number <paramref name="consecutiveRestarts"/> (0 for the first): doubling, capped.</summary>
    public static TimeSpan Backoff(int consecutiveRestarts)
    {
        if (consecutiveRestarts <= 0)
        {
            return InitialDelay;
        }

        var exponent = Math.Min(consecutiveRestarts, 16);
        var ms = InitialDelay.TotalMilliseconds * Math.Pow(2, exponent);
        return TimeSpan.FromMilliseconds(Math.Min(ms, MaxDelay.TotalMilliseconds));
    }

    /// <summary>
    /// Decides what an exit means. <paramref name="exitCode"/> is null when the code is unknown (the process was
    /// adopted after a node engine restart), <paramref name="signal"/> names a killing signal when there was one.
    /// </summary>
    public static ExitDecision OnExit(
        RestartPolicy policy, bool oneShot, int? exitCode, string? signal, bool oomKilled, int consecutiveRestarts)
    {
        var detail = Describe(exitCode, signal, oomKilled);
        var clean = exitCode == 0 && signal is null && !oomKilled;

        if (oneShot)
        {
            return clean
                ? new ExitDecision(InstanceStatus.Completed, false, TimeSpan.Zero, detail)
                : new ExitDecision(InstanceStatus.Dead, false, TimeSpan.Zero, detail);
        }

        var restart = policy switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.OnFailure => !clean,
            _ => false,
        };

        if (!restart && clean)
        {
            return new ExitDecision(InstanceStatus.Completed, false, TimeSpan.Zero, detail);
        }

        return new ExitDecision(InstanceStatus.Dead, restart, restart ? Backoff(consecutiveRestarts) : TimeSpan.Zero, detail);
    }

    /// <summary>How the detail of an instance the kernel's OOM killer ended begins (Kubernetes' reason, which tools look for).</summary>
    public const string OomKilled = "OOMKilled";

    public static string Describe(int? exitCode, string? signal, bool oomKilled)
    {
        if (oomKilled)
        {
            return $"{OomKilled}: the instance used more memory than its limit and was killed (exit {exitCode ?? 137})";
        }

        if (signal is not null)
        {
            return exitCode is { } c ? $"killed by {signal} (exit {c})" : $"killed by {signal}";
        }

        return exitCode is { } code ? $"exited with code {code}" : "exited (exit code unknown)";
    }
}
