using Microsoft.Extensions.Hosting;

namespace Canopy.Root.Replicas;

/// <summary>
/// Which root replica is the leader: the one that alone runs the work that must happen once (placement, cluster failover,
/// hand-back) and holds the cluster links. <see cref="SoleLeadership"/> for the embedded SQLite store (the one process always
/// leads), <see cref="PostgresLeadership"/> for replicas sharing a PostgreSQL database.
/// </summary>
internal abstract class RootLeadership : BackgroundService
{
    private readonly object _gate = new();
    private TaskCompletionSource<LeaderTerm> _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LeaderTerm? _term;

    /// <summary>This process's replica id (new at every start).</summary>
    public abstract string ReplicaId { get; }

    /// <summary>The address this replica's API is reached at, as it registers itself.</summary>
    public abstract string ReplicaUrl { get; }

    /// <summary>
    /// True only while this replica holds leadership and its lease is fresh. Checked by the clock each time, so a process that was
    /// paused past its lease is no longer leader the moment it resumes, whatever its loops have yet to notice.
    /// </summary>
    public bool IsLeader => _term is { } term && term.IsValid;

    /// <summary>The term this replica leads, while it does.</summary>
    public LeaderTerm? Term => _term is { IsValid: true } term ? term : null;

    /// <summary>The leader as last seen in the database (this replica or another); null while none is known.</summary>
    public abstract LeaderInfo? Leader { get; }

    /// <summary>Raised on the leader when a follower told it something (<see cref="LeaderNews"/>).</summary>
    public event Action<string>? News;

    /// <summary>
    /// Tells the leader, through the database, that a change of this replica's needs it (<see cref="LeaderNews"/>); returns at once.
    /// The change itself is already stored, so a lost notice only delays it to the leader's next sweep.
    /// </summary>
    public abstract void TellLeader(string news);

    protected void Heard(string news) => News?.Invoke(news);

    /// <summary>Every registered replica (this one included), for <c>/health</c> and <c>canopy clusters</c>.</summary>
    public abstract Task<IReadOnlyList<ReplicaInfo>> ReplicasAsync(CancellationToken ct);

    /// <summary>
    /// Completes once this replica leads; the term's <see cref="LeaderTerm.Ended"/> token is cancelled the moment it stops
    /// (lease not renewed, connection lost, shutdown). Work that must happen once runs under that token.
    /// </summary>
    public async Task<LeaderTerm> WaitUntilLeaderAsync(CancellationToken ct)
    {
        while (true)
        {
            Task<LeaderTerm> elected;
            lock (_gate)
            {
                elected = _elected.Task;
            }

            var term = await elected.WaitAsync(ct);
            if (!term.Ended.IsCancellationRequested)
            {
                return term;
            }

            // That term ended before the caller got to it: wait for the next one.
            lock (_gate)
            {
                if (ReferenceEquals(_elected.Task, elected))
                {
                    _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
                }
            }
        }
    }

    /// <summary>Called by the implementation when it has become leader.</summary>
    protected void Elected(LeaderTerm term)
    {
        lock (_gate)
        {
            _term = term;
            _elected.TrySetResult(term);
        }

        term.Ended.Register(() =>
        {
            lock (_gate)
            {
                if (ReferenceEquals(_term, term))
                {
                    _term = null;
                    if (_elected.Task.IsCompleted)
                    {
                        _elected = new(TaskCreationOptions.RunContinuationsAsynchronously);
                    }
                }
            }
        });
    }
}

/// <summary>What a follower tells the leader (payloads of the PostgreSQL notification).</summary>
internal static class LeaderNews
{
    /// <summary>Instances wait for placement.</summary>
    public const string Place = "place";

    /// <summary>Instances are marked for deletion: their clusters must be told to undeploy them.</summary>
    public const string Undeploy = "undeploy";
}

/// <summary>The leader replica: who, where its API answers and its term (the fencing token).</summary>
public sealed record LeaderInfo(string ReplicaId, string Url, long Term, DateTimeOffset? Since);

/// <summary>A registered root replica and when it was last seen alive.</summary>
public sealed record ReplicaInfo(string ReplicaId, string Url, DateTimeOffset StartedAt, DateTimeOffset LastSeen);
