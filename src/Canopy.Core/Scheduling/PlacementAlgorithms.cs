using System.Collections.Frozen;
using Canopy.Core.Scheduling.Algorithms;

namespace Canopy.Core.Scheduling;

public static class PlacementAlgorithms
{
    public const string BestFit = "best-fit";
    public const string FirstFit = "first-fit";
    public const string RoundRobin = "round-robin";
    public const string Epvm = "epvm";

    /// <summary>What a tier uses when its configuration names none.</summary>
    public const string Default = BestFit;

    public static IReadOnlyList<string> Names { get; } = [BestFit, FirstFit, RoundRobin, Epvm];

    // The one registration list: the algorithms are stateless, so one instance each serves every tier.
    private static readonly FrozenDictionary<string, IPlacementAlgorithm> ByName =
        new IPlacementAlgorithm[] { new BestFit(), new FirstFit(), new RoundRobin(), new Epvm() }
            .ToFrozenDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The algorithm with that name; throws <see cref="ArgumentException"/> naming the known ones otherwise.</summary>
    public static IPlacementAlgorithm Get(string name) =>
        name is not null && ByName.TryGetValue(name.Trim(), out var algorithm)
            ? algorithm
            : throw new ArgumentException(
                $"unknown placement algorithm '{name}'; known: {string.Join(", ", Names)}", nameof(name));
}
