namespace Canopy.Core.Scheduling;

/// <summary>Filter, then pick: the one entry point both tiers call.</summary>
public static class Placement
{
    public static PlacementResult Place(
        PlacementRequest request, IReadOnlyList<Candidate> candidates, IPlacementAlgorithm algorithm, PlacementTier tier, long sequence = 0)
    {
        var query = new PlacementQuery(request, tier);
        var feasible = new List<Candidate>(candidates.Count);
        var rejections = new RejectionList(query, candidates);
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            if (CandidateFilter.Accepts(query, candidate))
            {
                feasible.Add(candidate);
            }
            else
            {
                rejections.Add(i);
            }
        }

        if (feasible.Count == 0)
        {
            var (status, detail) = PlacementFailure.Explain(query, candidates, rejections);
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
