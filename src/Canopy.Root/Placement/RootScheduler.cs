using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Core.Descriptors;
using Canopy.Core.Scheduling;
using Canopy.Core.States;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Deployments;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Canopy.Root.Vault;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Placement;

/// <summary>
/// Places instances on clusters. One loop does every decision, so two placements never race for the same capacity; it runs
/// when woken (a new instance, a cluster that connects or reports resources) and every <see cref="RetryInterval"/> for
/// instances whose placement failed.
/// </summary>
internal sealed partial class RootScheduler(
    IRootStore store, LinkHub hub, PlacementRefusals refusals, SecretVault vault, RootLeadership leadership, RootOptions options, TimeProvider time,
    Metrics.RootMetrics metrics, ILogger<RootScheduler> log) : BackgroundService
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(5);

    // Capacity 1: wake-ups that arrive while a pass is pending are the same wake-up.
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _decisions;

    /// <summary>Something to place: on the leader a pass soon; on a follower the leader is told through the database.</summary>
    public void Wake()
    {
        if (leadership.IsLeader)
        {
            _wake.Writer.TryWrite(true);
        }
        else
        {
            leadership.TellLeader(LeaderNews.Place);
        }
    }

    // Only the leader places: two replicas placing the same instance would both send it to a cluster.
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => leadership.RunWhileLeaderAsync(PlaceWhileLeaderAsync, stoppingToken);

    private async Task PlaceWhileLeaderAsync(CancellationToken stoppingToken)
    {
        while (true)
        {
            stoppingToken.ThrowIfCancellationRequested();
            try
            {
                await PlacePendingAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception e)
            {
                PassFailed(e);
            }

            await WaitForWorkAsync(stoppingToken);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stoppingToken)
    {
        using var retry = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        retry.CancelAfter(RetryInterval);
        try
        {
            await _wake.Reader.WaitToReadAsync(retry.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException)
        {
            // Retry interval elapsed, or shutdown (the loop checks).
        }
    }

    /// <summary>One pass over every instance that waits for a cluster. Internal so tests can drive a pass directly.</summary>
    internal async Task PlacePendingAsync(CancellationToken ct)
    {
        // Woken by every cluster's heartbeat: with nothing waiting, one cheap query instead of reading every instance.
        if (!await store.AnyInstanceInAsync(InstanceRules.AwaitingPlacement, ct))
        {
            return;
        }

        var instances = await store.ListInstancesAsync(null, ct);
        var pending = instances.Where(InstanceRules.AwaitsPlacement)
            .OrderBy(i => i.Status == InstanceStatus.Requested ? 0 : 1).ThenBy(i => i.UpdatedAt).ToList();
        if (pending.Count == 0)
        {
            return;
        }

        var services = (await store.ListServicesAsync(null, ct)).ToDictionary(s => s.Id);
        var clusters = await store.ListClustersAsync(ct);
        var algorithm = PlacementAlgorithms.Get(options.SchedulingAlgorithm);
        var reserved = Reservations(instances, services);

        // Each cluster's reported resources parsed once a pass, not once per instance (a scale to 1,000 has 1,000 to place).
        var parsed = clusters.Select(c => ClusterCandidates.From(c, hub.IsActive(c), 0, 0) with { CpuOvercommit = options.CpuOvercommit }).ToList();
        var specs = new Dictionary<string, ServiceSpec?>();
        var microservices = new Dictionary<string, SlaMicroservice>();
        var decided = new List<(InstanceRecord Instance, Candidate Chosen, ServiceRecord Service, ServiceSpec Spec)>();
        foreach (var instance in pending)
        {
            if (!services.TryGetValue(instance.ServiceId, out var service) || service.Deleting)
            {
                continue;
            }

            if (!specs.TryGetValue(service.Id, out var spec))
            {
                specs[service.Id] = spec = await vault.SpecForDeployAsync(service, ct);
            }

            if (spec is null)
            {
                continue;
            }

            // Read once a pass per service: a scale's 1,000 instances share one.
            if (!microservices.TryGetValue(service.Id, out var ms))
            {
                microservices[service.Id] = ms = ServiceSpecs.Read(service);
            }

            var candidates = parsed
                .Select(c => c with { ReservedVcpus = reserved.GetValueOrDefault(c.Id).Vcpus, ReservedMemoryMb = reserved.GetValueOrDefault(c.Id).MemoryMb })
                .ToList();
            var refused = refusals.Recent(instance.ServiceId, instance.InstanceNumber);
            var result = refused.Count == 0
                ? Decide(service, ms, instance, candidates, algorithm)
                : Decide(service, ms, instance, candidates.Where(c => !refused.Contains(c.Id)).ToList(), algorithm) is { Chosen: not null } elsewhere
                    ? elsewhere
                    : Decide(service, ms, instance, candidates, algorithm);
            if (result.Chosen is { } chosen)
            {
                // Reserved at the decision: an assignment the store refuses below (deleted or reported meanwhile) only makes this
                // pass's later choices more careful; the next pass counts again from the store.
                var r = reserved.GetValueOrDefault(chosen.Id);
                reserved[chosen.Id] = (r.Vcpus + service.Vcpus, r.MemoryMb + service.MemoryMb);
                decided.Add((instance, chosen, service, spec));
            }
            else
            {
                await FailAsync(service, instance, result.Failure ?? InstanceStatus.NoActiveClusterWithCapacity, result.Detail, ct);
            }
        }

        // All at once, so that the store commits them together (a scale to 1,000 is a few commits, not 1,000 in a row).
        var placed = await Task.WhenAll(decided.Select(d => AssignAsync(d.Instance, d.Chosen, ct)));
        for (var i = 0; i < decided.Count; i++)
        {
            if (placed[i] is not { } instance)
            {
                continue;
            }

            var (_, chosen, service, spec) = decided[i];
            Placed(service.JobName, instance.InstanceNumber, chosen.Name);
            metrics.Placed(chosen.Name);
            if (!hub.TrySend(chosen.Id, LinkMessageTypes.Deploy, new DeployInstance(spec, instance.InstanceNumber)))
            {
                DeployNotSent(service.JobName, instance.InstanceNumber, chosen.Name);
            }
        }
    }

    private PlacementResult Decide(
        ServiceRecord service, SlaMicroservice ms, InstanceRecord instance, IReadOnlyList<Candidate> candidates, IPlacementAlgorithm algorithm)
    {
        if (Virtualizations.Canonical(ms.Virtualization) is not { } virtualization)
        {
            return new PlacementResult(null, InstanceStatus.NoActiveClusterWithCapacity, $"unknown virtualization '{ms.Virtualization}'", []);
        }

        var request = new PlacementRequest
        {
            ServiceId = service.Id,
            InstanceNumber = instance.InstanceNumber,
            Vcpus = ms.Vcpus,
            MemoryMb = ms.Memory,
            Virtualization = virtualization,
            Architectures = ms.NormalizedArch(),
            Constraints = ms.Constraints ?? [],
            Privileged = ms.Privileged && !Virtualizations.IgnoresPrivileged(virtualization),
        };
        return Core.Scheduling.Placement.Place(request, candidates, algorithm, PlacementTier.Root, Interlocked.Increment(ref _decisions) - 1);
    }

    private async Task<InstanceRecord?> AssignAsync(InstanceRecord instance, Candidate chosen, CancellationToken ct)
    {
        InstanceRecord? placed = null;
        await store.UpdateInstanceAsync(instance.ServiceId, instance.InstanceNumber, current =>
        {
            // Re-checked inside the write: a delete or a cluster report may have come since the pass began.
            if (!InstanceRules.AwaitsPlacement(current))
            {
                return null;
            }

            if (!InstanceTransitions.IsAllowed(current.Status, InstanceStatus.ClusterScheduled))
            {
                TransitionRefused(current.ServiceId, current.InstanceNumber, current.Status, InstanceStatus.ClusterScheduled);
                return null;
            }

            placed = current with
            {
                Status = InstanceStatus.ClusterScheduled,
                StatusDetail = $"scheduled on cluster {chosen.Name}",
                ClusterId = chosen.Id,
                NodeId = null,
                NodeName = null,
                HostIp = null,
                InstanceIp = null,
                HostPort = null,
                UpdatedAt = time.GetUtcNow(),
            };
            return placed;
        }, ct);
        return placed;
    }

    private async Task FailAsync(ServiceRecord service, InstanceRecord instance, InstanceStatus failure, string detail, CancellationToken ct)
    {
        var changed = false;
        await store.UpdateInstanceAsync(instance.ServiceId, instance.InstanceNumber, current =>
        {
            if (!InstanceRules.AwaitsPlacement(current) || (current.Status == failure && current.StatusDetail == detail))
            {
                return null;
            }

            if (!InstanceTransitions.IsAllowed(current.Status, failure))
            {
                TransitionRefused(current.ServiceId, current.InstanceNumber, current.Status, failure);
                return null;
            }

            changed = true;
            return current with { Status = failure, StatusDetail = detail, ClusterId = null, UpdatedAt = time.GetUtcNow() };
        }, ct);
        if (changed)
        {
            NotPlaced(service.JobName, instance.InstanceNumber, failure.ToWireName(), detail);
            metrics.NotPlaced(failure.ToWireName());
        }
    }

    private static Dictionary<string, (double Vcpus, long MemoryMb)> Reservations(
        IEnumerable<InstanceRecord> instances, IReadOnlyDictionary<string, ServiceRecord> services)
    {
        var reserved = new Dictionary<string, (double Vcpus, long MemoryMb)>();
        foreach (var instance in instances.Where(InstanceRules.Reserves))
        {
            if (services.TryGetValue(instance.ServiceId, out var service))
            {
                var r = reserved.GetValueOrDefault(instance.ClusterId!);
                reserved[instance.ClusterId!] = (r.Vcpus + service.Vcpus, r.MemoryMb + service.MemoryMb);
            }
        }

        return reserved;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Placed {JobName} instance {InstanceNumber} on cluster {Cluster}")]
    private partial void Placed(string jobName, int instanceNumber, string cluster);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Warning, Message = "{JobName} instance {InstanceNumber} not placed: {Status} ({Detail})")]
    private partial void NotPlaced(string jobName, int instanceNumber, string status, string detail);

    [LoggerMessage(EventId = 1303, Level = LogLevel.Warning,
        Message = "Deploy of {JobName} instance {InstanceNumber} not sent: cluster {Cluster} disconnected; its hello will bring it back")]
    private partial void DeployNotSent(string jobName, int instanceNumber, string cluster);

    [LoggerMessage(EventId = 1304, Level = LogLevel.Warning, Message = "Refused transition of {ServiceId}/{InstanceNumber}: {From} -> {To}")]
    private partial void TransitionRefused(string serviceId, int instanceNumber, InstanceStatus from, InstanceStatus to);

    [LoggerMessage(EventId = 1305, Level = LogLevel.Error, Message = "Placement pass failed; retrying")]
    private partial void PassFailed(Exception e);
}
