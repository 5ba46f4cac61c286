namespace Canopy.Core.Scheduling;

/// <summary>Filter, then pick: the one entry point both tiers call.</summary>
public static class Placement
{
    public static PlacementResult Place(
        PlacementRequest request, IReadOnlyList<Candidate> candidates, IPlacementAlgorithm algorithm, PlacementTier tier, long sequence = 0)
    {
        var constraints = PlacementConstraints.From(request.Constraints, tier);
        var feasible = new List<Candidate>();
        var rejections = new List<Rejection>();
        foreach (var candidate in candidates)
        {
            if (CandidateFilter.Check(request, candidate, constraints) is { } rejection)
            {
                rejections.Add(rejection);
            }
            else
            {
                feasible.Add(candidate);
            }
        }

        if (feasible.Count == 0)
        {
            var (status, detail) = PlacementFailure.Explain(request, candidates, constraints, rejections, tier);
            return new PlacementResult(null, status, detail, rejections);
        }

        var chosen = algorithm.Pick(request, feasible, sequence);
        return new PlacementResult(
            chosen,
            null,
            $"placed on {chosen.Name} by {algorithm.Name} ({feasible.Count} of {candidates.Count} candidates feasible)",
            rejections);
    }

    /// <summary>The candidate after a placement on it: its reservations grow by what <paramref name="request"/> takes.</summary>
    public static Candidate Reserve(Candidate candidate, PlacementRequest request) => candidate with
    {
        ReservedVcpus = candidate.ReservedVcpus + Math.Max(0, request.Vcpus),
        ReservedMemoryMb = candidate.ReservedMemoryMb + Math.Max(0, request.MemoryMb),
    };
}
