using System.Globalization;
using System.Text.Json;
using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling.Tests;

/// <summary>
/// Placement written the straightforward way (LINQ, every refusal explained at once, a full sort for round-robin, E-PVM as the
/// difference of four powers): how Core did it before it was made fast for 5,000 candidates. The equivalence properties compare
/// Core with it, so an optimisation that changes a decision or a phrase shows.
/// </summary>
internal static class ReferencePlacement
{
    public static (Candidate? Chosen, IReadOnlyList<Rejection> Rejections) Place(
        PlacementRequest request, IReadOnlyList<Candidate> candidates, string algorithm, PlacementTier tier, long sequence)
    {
        var constraints = PlacementConstraints.From(request.Constraints, tier);
        var rejections = candidates.Select(c => Check(request, c, constraints)).ToList();
        var feasible = candidates.Where((_, i) => rejections[i] is null).ToList();
        var refused = rejections.OfType<Rejection>().ToList();
        return feasible.Count == 0 ? (null, refused) : (Pick(algorithm, request, feasible, sequence), refused);
    }

    private static Candidate Pick(string algorithm, PlacementRequest request, List<Candidate> feasible, long sequence)
    {
        switch (algorithm)
        {
            case PlacementAlgorithms.FirstFit:
                return feasible[0];
            case PlacementAlgorithms.RoundRobin:
                var ordered = feasible.Order(Algorithms.CandidateOrder.ByName).ToList();
                return ordered[(int)(((sequence % ordered.Count) + ordered.Count) % ordered.Count)];
            case PlacementAlgorithms.BestFit:
                return Best(feasible, c => Algorithms.BestFit.Score(request, c));
            default:
                return Best(feasible, c => -EpvmCost(request, c));
        }
    }

    private static Candidate Best(List<Candidate> feasible, Func<Candidate, double> score) =>
        feasible.Skip(1).Aggregate((Best: feasible[0], Score: score(feasible[0])), (best, c) =>
        {
            var s = score(c);
            return s > best.Score + 1e-12 || (Math.Abs(s - best.Score) <= 1e-12 && Algorithms.CandidateOrder.ByName.Compare(c, best.Best) < 0)
                ? (c, s)
                : best;
        }).Best;

    private static double EpvmCost(PlacementRequest request, Candidate c)
    {
        static double Share(double amount, double capacity) => capacity > 0 ? Math.Max(0, amount) / capacity : 0;
        var cpuLoad = (Math.Clamp(c.CpuPercent, 0, 100) / 100) + Share(c.ReservedVcpus, c.SchedulableVcpus);
        var memoryLoad = (Math.Clamp(c.MemoryPercent, 0, 100) / 100) + Share(c.ReservedMemoryMb, c.MemoryMb);
        var l = Algorithms.Epvm.Lieb;
        return Math.Pow(l, cpuLoad + Share(request.Vcpus, c.SchedulableVcpus)) - Math.Pow(l, cpuLoad) +
               Math.Pow(l, memoryLoad + Share(request.MemoryMb, c.MemoryMb)) - Math.Pow(l, memoryLoad);
    }

    private static Rejection? Check(PlacementRequest request, Candidate candidate, PlacementConstraints constraints)
    {
        var runtime = Runtime(request.Virtualization);
        var directNames = constraints.Direct.SelectMany(n => n).Distinct(StringComparer.OrdinalIgnoreCase);
        if (!candidate.Active)
        {
            return Reject(candidate, FilterReason.Inactive, "inactive");
        }

        if (!constraints.Direct.All(names => names.Any(n =>
                string.Equals(n, candidate.Name, StringComparison.OrdinalIgnoreCase) || candidate.Aliases.Contains(n, StringComparer.OrdinalIgnoreCase))))
        {
            return Reject(candidate, FilterReason.NotNamedByDirectConstraint, $"not named by the direct constraint ({string.Join(";", directNames)})");
        }

        if (!constraints.AllowedClusters.All(names => names.Contains(candidate.Name, StringComparer.OrdinalIgnoreCase)))
        {
            return Reject(candidate, FilterReason.NotInAllowedClusters, "not in the allowed clusters");
        }

        if (!candidate.Virtualizations.Any(v => Runtime(v) == runtime))
        {
            return Reject(candidate, FilterReason.MissingVirtualization, candidate.UnavailableRuntimes.TryGetValue(runtime, out var why)
                ? $"has no usable {runtime} runtime ({why})"
                : $"has no {runtime} runtime");
        }

        var architectures = request.Architectures.Select(Architectures.Canonical).Distinct().ToList();
        if (architectures.Count > 0 && !candidate.Architectures.Any(a => architectures.Contains(Architectures.Canonical(a))))
        {
            return Reject(candidate, FilterReason.MissingArchitecture, candidate.Architectures.Count == 0
                ? $"reports no architecture, service needs {string.Join(" or ", architectures)}"
                : $"architecture {string.Join(", ", candidate.Architectures)}, service needs {string.Join(" or ", architectures)}");
        }

        if (request.Privileged && !candidate.PrivilegedRuntimes.Any(r => Runtime(r) == runtime))
        {
            var flag = runtime == Virtualizations.Exec ? "canopy node --exec-as-root" : "canopy node --allow-privileged";
            return Reject(candidate, FilterReason.PrivilegedNotAllowed, $"does not allow privileged {runtime} workloads (its operator allows them with {flag})");
        }

        foreach (var (location, threshold) in constraints.Geo)
        {
            if (candidate.Location is not { } here)
            {
                return Reject(candidate, FilterReason.OutsideGeoThreshold, "has no location for the geo constraint");
            }

            if (here.DistanceKm(location) is var distance && distance > threshold)
            {
                return Reject(candidate, FilterReason.OutsideGeoThreshold, $"{Format(Math.Round(distance))} km from {location} (limit {Format(threshold)} km)");
            }
        }

        var missing = constraints.Needs.Where(n => !Provides(candidate, n)).ToList();
        if (missing.Count > 0)
        {
            return Reject(candidate, FilterReason.MissingNeeds, $"lacks {string.Join(", ", missing)}");
        }

        if (request.Vcpus > 0 && request.Vcpus > candidate.FreeVcpus + 1e-9)
        {
            return Reject(candidate, FilterReason.InsufficientCpu, $"insufficient cpu (free {Format(candidate.FreeVcpus)} vcpus)");
        }

        return request.MemoryMb > 0 && request.MemoryMb > candidate.FreeMemoryMb
            ? Reject(candidate, FilterReason.InsufficientMemory, $"insufficient memory (free {candidate.FreeMemoryMb} MB)")
            : null;
    }

    private static string Runtime(string? v) => Virtualizations.Normalize(v) ?? v?.Trim().ToLowerInvariant() ?? "";

    private static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    private static bool Provides(Candidate candidate, string need) => candidate.Extra.Any(p =>
        (string.Equals(p.Key, need, StringComparison.OrdinalIgnoreCase) && IsTruthy(p.Value)) ||
        (p.Key is "features" or "supported_addons" && Lists(p.Value, need)));

    private static bool Lists(JsonElement value, string need) => value.ValueKind switch
    {
        JsonValueKind.Array => value.EnumerateArray().Any(item => Lists(item, need)),
        JsonValueKind.String => string.Equals(value.GetString(), need, StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static bool IsTruthy(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.Number => value.TryGetDouble(out var n) && n != 0,
        JsonValueKind.String => value.GetString() is { Length: > 0 } s && !s.Equals("false", StringComparison.OrdinalIgnoreCase) && s != "0",
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        _ => false,
    };

    private static Rejection Reject(Candidate candidate, FilterReason reason, string explanation) =>
        new(candidate.Name, reason) { Explanation = explanation };
}
