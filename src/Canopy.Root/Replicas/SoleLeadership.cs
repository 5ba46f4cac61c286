using System.Diagnostics;

namespace Canopy.Root.Replicas;

/// <summary>The embedded store has one root process: it leads from its start to its end, term 1, with no lease to renew.</summary>
internal sealed class SoleLeadership : RootLeadership
{
    private readonly DateTimeOffset _started;
    private readonly LeaderTerm _term = new(1, Timeout.InfiniteTimeSpan, Stopwatch.GetTimestamp());

    public SoleLeadership(RootOptions options, TimeProvider time)
    {
        ReplicaUrl = options.AdvertisedUrl();
        _started = time.GetUtcNow();
        Leader = new LeaderInfo(ReplicaId, ReplicaUrl, _term.Number, _started);
        Elected(_term);
    }

    public override string ReplicaId { get; } = "sole";

    public override string ReplicaUrl { get; }

    public override LeaderInfo? Leader { get; }

    public override Task<IReadOnlyList<ReplicaInfo>> ReplicasAsync(CancellationToken ct) =>
        Task.FromResult<IReadOnlyList<ReplicaInfo>>([new ReplicaInfo(ReplicaId, ReplicaUrl, _started, _started)]);

    // The one process is the leader: its own scheduler and links already act on every change.
    public override void TellLeader(string news)
    {
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.CompletedTask;
}
