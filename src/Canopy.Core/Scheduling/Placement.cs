namespace Canopy.Core.Scheduling;

/// <summary>Filter, then pick: the one entry point both tiers call.</summary>
public static class Placement
{
    public static PlacementResult Place(
        PlacementRequest request, IReadOnlyList<Candidate> candidates, IPlacementAlgorithm algorithm, PlacementTier tier, long sequence = 0) =>
        throw new NotImplementedException();
}
