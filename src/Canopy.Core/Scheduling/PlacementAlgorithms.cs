namespace Canopy.Core.Scheduling;

public static class PlacementAlgorithms
{
    public const string BestFit = "best-fit";
    public const string FirstFit = "first-fit";
    public const string RoundRobin = "round-robin";
    public const string Epvm = "epvm";

    public static IReadOnlyList<string> Names { get; } = [BestFit, FirstFit, RoundRobin, Epvm];

    /// <summary>The algorithm with that name; throws <see cref="ArgumentException"/> naming the known ones otherwise.</summary>
    public static IPlacementAlgorithm Get(string name) => throw new NotImplementedException();
}
