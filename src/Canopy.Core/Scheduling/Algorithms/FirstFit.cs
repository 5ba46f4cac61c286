namespace Canopy.Core.Scheduling.Algorithms;

/// <summary>The first feasible candidate in the order the tier lists them (Oakestra's old <c>first_fit_algorithm</c>).</summary>
internal sealed class FirstFit : IPlacementAlgorithm
{
    public string Name => PlacementAlgorithms.FirstFit;

    public Candidate Pick(PlacementRequest request, IReadOnlyList<Candidate> feasible, long sequence) => feasible[0];
}
