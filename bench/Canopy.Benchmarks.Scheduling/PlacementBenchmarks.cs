using BenchmarkDotNet.Attributes;
using Canopy.Core.Scheduling;

namespace Canopy.Benchmarks.Scheduling;

/// <summary><see cref="Placement.Place"/> (filter, then the algorithm) as a tier's scheduler calls it, once per benchmark operation.</summary>
[Config(typeof(ShortRunConfig))]
public abstract class TierPlacement(PlacementTier tier)
{
    private IReadOnlyList<Candidate> _candidates = [];
    private PlacementRequest _request = null!;
    private IPlacementAlgorithm _algorithm = null!;
    private long _sequence;

    [Params(PlacementAlgorithms.BestFit, PlacementAlgorithms.FirstFit, PlacementAlgorithms.RoundRobin, PlacementAlgorithms.Epvm)]
    public string Algorithm { get; set; } = PlacementAlgorithms.BestFit;

    [Params(RequestKind.Plain, RequestKind.Geo, RequestKind.Addons, RequestKind.Direct, RequestKind.Arch)]
    public RequestKind Request { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _candidates = Candidates();
        _request = Fleet.Request(Request, tier);
        _algorithm = PlacementAlgorithms.Get(Algorithm);
        Placement.Place(_request, _candidates, _algorithm, tier).Chosen.ShouldBePlaced();
    }

    [Benchmark]
    public Candidate? Place() => Placement.Place(_request, _candidates, _algorithm, tier, _sequence++).Chosen;

    protected abstract IReadOnlyList<Candidate> Candidates();
}

/// <summary>A cluster choosing one of 5,000 nodes.</summary>
public class ClusterPlacement() : TierPlacement(PlacementTier.Cluster)
{
    protected override IReadOnlyList<Candidate> Candidates() => Fleet.NodeCandidates(5_000);
}

/// <summary>The root choosing one of 100 clusters.</summary>
public class RootPlacement() : TierPlacement(PlacementTier.Root)
{
    protected override IReadOnlyList<Candidate> Candidates() => Fleet.ClusterCandidateList(100);
}

/// <summary>A request nothing can take: every candidate is refused with its reason and <c>PlacementFailure</c> writes the detail.</summary>
[Config(typeof(ShortRunConfig))]
public class RefusedPlacement
{
    private IReadOnlyList<Candidate> _candidates = [];
    private PlacementRequest _request = null!;
    private readonly IPlacementAlgorithm _algorithm = PlacementAlgorithms.Get(PlacementAlgorithms.Default);

    [Params(PlacementTier.Cluster, PlacementTier.Root)]
    public PlacementTier Tier { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _candidates = Tier == PlacementTier.Cluster ? Fleet.NodeCandidates(5_000) : Fleet.ClusterCandidateList(100);
        _request = Fleet.Request(RequestKind.Impossible, Tier);
        if (Placement.Place(_request, _candidates, _algorithm, Tier).Succeeded)
        {
            throw new InvalidOperationException("the impossible request was placed: the benchmark would not measure a refusal");
        }
    }

    [Benchmark]
    public string Refuse() => Placement.Place(_request, _candidates, _algorithm, Tier).Detail;
}

internal static class BenchmarkChecks
{
    /// <summary>A benchmark of a placement that fails measures something else: stop at setup instead.</summary>
    public static void ShouldBePlaced(this Candidate? chosen)
    {
        if (chosen is null)
        {
            throw new InvalidOperationException("the benchmark's request was not placed: the fleet or the request is wrong");
        }
    }
}
