namespace Canopy.Core.Scheduling.Algorithms;

/// <summary>
/// Takes turns: the feasible candidates sorted by name, the <c>sequence</c>-th of them (modulo their number).
/// The tier owns the counter, so the choice is a pure function of its inputs (the book's version keeps it in the scheduler).
/// </summary>
internal sealed class RoundRobin : IPlacementAlgorithm
{
    public string Name => PlacementAlgorithms.RoundRobin;

    public Candidate Pick(PlacementRequest request, IReadOnlyList<Candidate> feasible, long sequence)
    {
        var ordered = feasible.Order(CandidateOrder.ByName).ToList();
        var index = (int)(((sequence % ordered.Count) + ordered.Count) % ordered.Count);
        return ordered[index];
    }
}
