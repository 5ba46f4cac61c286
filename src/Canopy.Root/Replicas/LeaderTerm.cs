using System.Diagnostics;

namespace Canopy.Root.Replicas;

/// <summary>
/// One term of this replica's leadership: its number (the fencing token written in the database), a monotonic lease renewed by
/// every successful round trip to the database, and a token cancelled when the term ends. The lease is shorter than the time the
/// database takes to free the lock of a silent leader, so the term ends here before another replica can start the next one.
/// </summary>
internal sealed class LeaderTerm
{
    // Never disposed: the token is handed to the work of the term, which may look at it after the term.
    private readonly CancellationTokenSource _ended = new();
    private readonly long _leaseTicks;
    private long _renewedAt;
    private long _endedAt;

    public LeaderTerm(long number, TimeSpan lease, long sentAt)
    {
        Number = number;
        // An infinite lease (the sole replica of an embedded store) never runs out.
        _leaseTicks = lease == Timeout.InfiniteTimeSpan ? long.MaxValue / 4 : (long)(lease.TotalSeconds * Stopwatch.Frequency);
        _renewedAt = sentAt;
        StartedAt = Stopwatch.GetTimestamp();
        if (lease != Timeout.InfiniteTimeSpan)
        {
            _ended.CancelAfter(Remaining());
        }
    }

    public long Number { get; }

    /// <summary>Stopwatch timestamp of the moment the term began here.</summary>
    public long StartedAt { get; }

    /// <summary>
    /// Stopwatch timestamp of the moment the term ended (0 while it lasts): when it was given up, or when its lease ran out,
    /// whichever came first, even if the timer that noticed ran late.
    /// </summary>
    public long EndedAt
    {
        get
        {
            if (IsValid)
            {
                return 0;
            }

            var expiry = Volatile.Read(ref _renewedAt) + _leaseTicks;
            var given = Volatile.Read(ref _endedAt);
            return given == 0 ? expiry : Math.Min(given, expiry);
        }
    }

    public CancellationToken Ended => _ended.Token;

    /// <summary>Not ended, and the last renewal is younger than the lease (by the monotonic clock).</summary>
    public bool IsValid =>
        !_ended.IsCancellationRequested && Stopwatch.GetTimestamp() - Volatile.Read(ref _renewedAt) < _leaseTicks;

    /// <summary>
    /// A round trip sent at <paramref name="sentAt"/> (a Stopwatch timestamp) came back: the database still knew this session
    /// then, so the lease counts from the moment it was sent, never from the answer. False when the term is already over.
    /// </summary>
    public bool Renew(long sentAt)
    {
        if (!IsValid)
        {
            End();
            return false;
        }

        if (sentAt > Volatile.Read(ref _renewedAt))
        {
            Volatile.Write(ref _renewedAt, sentAt);
        }

        _ended.CancelAfter(Remaining());
        return true;
    }

    public void End()
    {
        Interlocked.CompareExchange(ref _endedAt, Stopwatch.GetTimestamp(), 0);
        _ended.Cancel();
    }

    private TimeSpan Remaining()
    {
        var left = Volatile.Read(ref _renewedAt) + _leaseTicks - Stopwatch.GetTimestamp();
        return left > 0 ? TimeSpan.FromSeconds((double)left / Stopwatch.Frequency) : TimeSpan.Zero;
    }
}
