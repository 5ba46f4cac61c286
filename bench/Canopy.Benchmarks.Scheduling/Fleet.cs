using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Cluster.Placement;
using Canopy.Cluster.Storage;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Canopy.Core.Descriptors;
using Canopy.Core.Scheduling;
using Canopy.Core.States;
using Canopy.Root.Placement;
using ClusterRecord = Canopy.Root.Store.ClusterRecord;

namespace Canopy.Benchmarks.Scheduling;

/// <summary>
/// A made-up but plausible fleet, the same on every run (fixed seed): nodes of 1 to 16 cores, partly loaded and partly reserved,
/// a few inactive, most with a location in central Europe, some with labels and addons, most with both runtimes.
/// Candidates are built the way the tiers build them (<see cref="CandidateBuilder"/>, <see cref="ClusterCandidates"/>), so their
/// shape (aliases, JSON labels) is the real one.
/// </summary>
internal static class Fleet
{
    /// <summary>The SLA's default overcommit at both tiers (ClusterOptions, RootOptions).</summary>
    public const double CpuOvercommit = 4.0;

    private static readonly string[] Services = [.. Enumerable.Range(0, 20).Select(i => $"svc-{i:D2}")];

    public static IReadOnlyList<NodeRecord> Nodes(int count, int seed = 11)
    {
        var random = new Random(seed);

        // The store lists nodes in the order they registered, which has nothing to do with their names.
        var numbers = Enumerable.Range(0, count).ToArray();
        random.Shuffle(numbers);
        var nodes = new List<NodeRecord>(count);
        for (var i = 0; i < count; i++)
        {
            var vcpus = Pick(random, 1, 2, 4, 4, 8, 16);
            var memoryTotal = (long)vcpus * Pick(random, 512, 1024, 2048, 4096);
            var memoryPercent = random.NextDouble() * 90;
            var virtualization = random.NextDouble() switch
            {
                < 0.80 => new[] { Virtualizations.Container, Virtualizations.Exec },
                < 0.95 => [Virtualizations.Exec],
                _ => [Virtualizations.Container],
            };
            var host = $"edge-{numbers[i]:D4}";
            nodes.Add(new NodeRecord
            {
                Id = $"{random.Next():x8}-{i:D5}",
                Host = host,
                MqttPassword = "-",
                Active = random.NextDouble() >= 0.03,
                StaticInfo = new NodeRegisterRequest
                {
                    JoinToken = "",
                    Host = host,
                    Vcpus = vcpus,
                    MemoryTotal = memoryTotal,
                    Architecture = random.NextDouble() < 0.7 ? "amd64" : "arm64",
                    Virtualization = virtualization,
                    Location = random.NextDouble() < 0.6
                        ? FormattableString.Invariant($"{45 + (random.NextDouble() * 10):F4},{5 + (random.NextDouble() * 12):F4}")
                        : null,
                    Extra = Labels(random),
                },
                Latest = new NodeInformation
                {
                    CpuPercent = random.NextDouble() * 100,
                    Vcpus = vcpus,
                    MemoryTotal = memoryTotal,
                    Memory = (long)(memoryTotal * (1 - (memoryPercent / 100))),
                    MemoryPercent = memoryPercent,
                    Virtualization = virtualization,
                    UnavailableRuntimes = random.NextDouble() < 0.02 ? new Dictionary<string, string> { [Virtualizations.Vm] = "qemu-system-x86_64 is not installed" } : null,
                    PrivilegedRuntimes = random.NextDouble() < 0.1 ? [Virtualizations.Exec] : null,
                },
            });
        }

        return nodes;
    }

    /// <summary>About two instances per node, of services that ask 0.1 to 1 vcpu and 64 to 512 MB.</summary>
    public static (IReadOnlyList<InstanceRecord> Instances, IReadOnlyDictionary<string, (double Vcpus, int MemoryMb)> Requests) Instances(
        IReadOnlyList<NodeRecord> nodes, int seed = 12)
    {
        var random = new Random(seed);
        var requests = Services.ToDictionary(s => s, _ => (Vcpus: Pick(random, 0.1, 0.25, 0.5, 1.0), MemoryMb: Pick(random, 64, 128, 256, 512)));
        var instances = new List<InstanceRecord>(nodes.Count * 2);
        foreach (var node in nodes)
        {
            for (var n = random.Next(0, 5); n > 0; n--)
            {
                instances.Add(new InstanceRecord
                {
                    ServiceId = Services[random.Next(Services.Length)],
                    InstanceNumber = instances.Count,
                    NodeId = node.Id,
                    Status = random.NextDouble() < 0.9 ? InstanceStatus.Running : InstanceStatus.NodeScheduled,
                });
            }
        }

        return (instances, requests);
    }

    /// <summary>What the cluster's scheduler gives Core: every node (the inactive ones too, so that that check is exercised), reservations, overcommit.</summary>
    public static IReadOnlyList<Candidate> NodeCandidates(int count)
    {
        var nodes = Nodes(count);
        var (instances, requests) = Instances(nodes);
        var reserved = instances.GroupBy(i => i.NodeId!).ToDictionary(
            g => g.Key,
            g => (g.Sum(i => requests[i.ServiceId].Vcpus), g.Sum(i => (long)requests[i.ServiceId].MemoryMb)));
        return [.. nodes.Select(n => CandidateBuilder.ToCandidate(n, reserved.GetValueOrDefault(n.Id), CpuOvercommit))];
    }

    /// <summary>Clusters of 5 to 200 nodes with the aggregate a cluster reports; about one in twenty inactive.</summary>
    public static IReadOnlyList<(ClusterRecord Record, bool Active, double ReservedVcpus, long ReservedMemoryMb)> Clusters(int count, int seed = 13)
    {
        var random = new Random(seed);
        var clusters = new List<(ClusterRecord, bool, double, long)>(count);
        for (var i = 0; i < count; i++)
        {
            var nodes = random.Next(5, 201);
            var vcpus = nodes * Pick(random, 2, 4, 8);
            var memoryTotal = (long)vcpus * 2048;
            var resources = new JsonObject
            {
                ["vcpus"] = vcpus,
                ["memory"] = (long)(memoryTotal * random.NextDouble()),
                ["memory_total"] = memoryTotal,
                ["cpu_percent"] = random.NextDouble() * 100,
                ["memory_percent"] = random.NextDouble() * 100,
                ["virtualization"] = random.NextDouble() < 0.85 ? new JsonArray("container", "exec") : new JsonArray("exec"),
                ["architecture"] = new JsonArray("amd64", "arm64"),
                ["active_nodes"] = nodes,
                ["privileged_runtimes"] = random.NextDouble() < 0.3 ? new JsonArray("exec") : new JsonArray(),
            };
            foreach (var (key, value) in Labels(random) ?? [])
            {
                resources[key] = JsonNode.Parse(value.GetRawText());
            }

            var record = new ClusterRecord
            {
                Id = $"{random.Next():x8}-{i:D3}",
                Name = $"cluster-{i:D3}",
                CredentialHash = "-",
                Location = random.NextDouble() < 0.7
                    ? FormattableString.Invariant($"{45 + (random.NextDouble() * 10):F4},{5 + (random.NextDouble() * 12):F4}")
                    : null,
                Resources = resources.ToJsonString(),
            };
            clusters.Add((record, random.NextDouble() >= 0.05, vcpus * random.NextDouble() * 2, (long)(memoryTotal * random.NextDouble() * 0.5)));
        }

        return clusters;
    }

    /// <summary>What the root's scheduler gives Core for 100 clusters.</summary>
    public static IReadOnlyList<Candidate> ClusterCandidateList(int count) =>
        [.. Clusters(count).Select(c => ClusterCandidates.From(c.Record, c.Active, c.ReservedVcpus, c.ReservedMemoryMb) with { CpuOvercommit = CpuOvercommit })];

    /// <summary>The requests measured: one without constraints, one each with a geo, an addons and a direct constraint, and one for an architecture.</summary>
    public static PlacementRequest Request(RequestKind kind, PlacementTier tier) => kind switch
    {
        RequestKind.Plain => Ask(0.5, 256, Virtualizations.Container),
        RequestKind.Geo => Ask(0.25, 128, Virtualizations.Exec,
            new SlaConstraint { Type = "geo", Location = "48.1374,11.5755", Threshold = 400 }),
        RequestKind.Addons => Ask(0.5, 256, Virtualizations.Container,
            new SlaConstraint { Type = "addons", Needs = ["camera"] }),
        RequestKind.Direct => Ask(0.25, 64, Virtualizations.Exec, tier == PlacementTier.Root
            ? new SlaConstraint { Type = "direct", Cluster = "cluster-042;cluster-007" }
            : new SlaConstraint { Type = "direct", Node = "edge-4321;edge-0007" }),
        RequestKind.Arch => Ask(0.5, 256, Virtualizations.Container) with { Architectures = [Architectures.Arm64] },
        RequestKind.Impossible => Ask(2, 4_000_000, Virtualizations.Container),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static PlacementRequest Ask(double vcpus, int memoryMb, string virtualization, params SlaConstraint[] constraints) => new()
    {
        ServiceId = "bench",
        Vcpus = vcpus,
        MemoryMb = memoryMb,
        Virtualization = virtualization,
        Constraints = constraints,
    };

    /// <summary>Labels as a node's configuration gives them: a truthy <c>gpu</c>, <c>features</c> and <c>supported_addons</c> lists.</summary>
    private static Dictionary<string, JsonElement>? Labels(Random random)
    {
        var labels = new Dictionary<string, JsonElement>();
        if (random.NextDouble() < 0.15)
        {
            labels["gpu"] = JsonSerializer.SerializeToElement(true);
            labels["gpu_model"] = JsonSerializer.SerializeToElement("jetson-orin");
        }

        if (random.NextDouble() < 0.2)
        {
            labels["features"] = JsonSerializer.SerializeToElement(random.NextDouble() < 0.5 ? new[] { "camera", "tpm" } : ["lidar"]);
        }

        if (random.NextDouble() < 0.1)
        {
            labels["supported_addons"] = JsonSerializer.SerializeToElement(new[] { "psql" });
        }

        return labels.Count > 0 ? labels : null;
    }

    private static T Pick<T>(Random random, params T[] choices) => choices[random.Next(choices.Length)];
}

public enum RequestKind
{
    Plain,
    Geo,
    Addons,
    Direct,

    /// <summary>A service for arm64 only (the SLA's <c>arch</c>): about three nodes in ten qualify.</summary>
    Arch,

    /// <summary>Fits nowhere: every candidate is refused and the failure is explained.</summary>
    Impossible,
}
