using BenchmarkDotNet.Attributes;
using Canopy.Cluster.Placement;
using Canopy.Cluster.Storage;
using Canopy.Core.Scheduling;
using Canopy.Root.Placement;
using ClusterRecord = Canopy.Root.Store.ClusterRecord;

namespace Canopy.Benchmarks.Scheduling;

/// <summary>
/// What each tier does before every placement, from what its store returned: the cluster turns 5,000 nodes and ~10,000
/// instances into candidates (<see cref="CandidateBuilder.Build"/>, as ClusterScheduler does), the root
/// parses 100 clusters' aggregates (<see cref="ClusterCandidates.From"/>, as RootScheduler does). The store reads themselves are not measured.
/// </summary>
[Config(typeof(ShortRunConfig))]
public class CandidateBuilding
{
    private IReadOnlyList<NodeRecord> _nodes = [];
    private IReadOnlyList<InstanceRecord> _instances = [];
    private IReadOnlyDictionary<string, (double Vcpus, int MemoryMb)> _requests = new Dictionary<string, (double, int)>();
    private IReadOnlyList<(ClusterRecord Record, bool Active, double ReservedVcpus, long ReservedMemoryMb)> _clusters = [];

    [GlobalSetup]
    public void Setup()
    {
        _nodes = Fleet.Nodes(5_000);
        (_instances, _requests) = Fleet.Instances(_nodes);
        _clusters = Fleet.Clusters(100);
    }

    [Benchmark]
    public IReadOnlyList<Candidate> Cluster5000Nodes() => CandidateBuilder.Build(_nodes, _instances, _requests, Fleet.CpuOvercommit);

    [Benchmark]
    public List<Candidate> Root100Clusters() =>
        [.. _clusters.Select(c => ClusterCandidates.From(c.Record, c.Active, c.ReservedVcpus, c.ReservedMemoryMb) with { CpuOvercommit = Fleet.CpuOvercommit })];
}
