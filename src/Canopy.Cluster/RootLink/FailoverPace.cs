namespace Canopy.Cluster.RootLink;

/// <summary>
/// Which root address to try next and how long to wait first. With one address it is the single root's back-off (doubling up to
/// <c>max</c>). With several (replicas) a failed address is followed at once by the next one after a short
/// <see cref="ClusterOptions.RootFailoverDelay"/>, and a follower's leader hint is followed without waiting; only a whole round
/// of failures backs off, and never beyond a second, so a new leader is found within moments of its election.
/// </summary>
internal sealed class FailoverPace(RootAddresses addresses, TimeSpan shortDelay, TimeSpan min, TimeSpan max)
{
    private static readonly TimeSpan ReplicasMaxDelay = TimeSpan.FromSeconds(1);

    private TimeSpan _backoff;
    private bool _followedHint;

    /// <summary>The address answered (registered, or the link is up): the next failure starts from the shortest delay.</summary>
    public void Succeeded()
    {
        _backoff = TimeSpan.Zero;
        _followedHint = false;
    }

    /// <summary>An established link broke: with replicas, the next address right away (the one in use likely died).</summary>
    public TimeSpan Lost()
    {
        Succeeded();
        if (addresses.Count > 1)
        {
            addresses.MoveNext();
            return TimeSpan.Zero;
        }

        return min;
    }

    /// <summary>An attempt failed; <paramref name="leader"/> is the leader a follower named, if any. Moves on and says how long to wait.</summary>
    public TimeSpan Failed(string? leader = null)
    {
        if (leader is not null && addresses.MoveTo(leader))
        {
            // Two replicas that name each other (a stale view during an election) must not spin: only the first hint is free.
            var wait = _followedHint ? shortDelay : TimeSpan.Zero;
            _followedHint = true;
            return wait;
        }

        _followedHint = false;
        if (addresses.Count > 1 && !addresses.MoveNext())
        {
            return shortDelay;
        }

        var backoff = _backoff < min ? min : _backoff;
        var cap = addresses.Count > 1 ? ReplicasMaxDelay : max;
        _backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, cap.Ticks));
        return backoff > cap ? cap : backoff;
    }
}
