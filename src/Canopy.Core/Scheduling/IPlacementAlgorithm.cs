namespace Canopy.Core.Scheduling;

/// <summary>
/// A way to choose among feasible candidates. Filtering (resources, virtualization, constraints) is shared by all algorithms
/// and done by <see cref="Placement"/>; an algorithm only orders what is left. Higher score wins; ties go to the first.
/// </summary>
public interface IPlacementAlgorithm
{
    /// <summary><c>best-fit</c>, <c>first-fit</c>, <c>round-robin</c>, <c>epvm</c>.</summary>
    string Name { get; }

    /// <summary>Picks one of <paramref name="feasible"/> (never empty). <paramref name="sequence"/> counts decisions made so far by this tier (for round-robin).</summary>
    Candidate Pick(PlacementRequest request, IReadOnlyList<Candidate> feasible, long sequence);
}
