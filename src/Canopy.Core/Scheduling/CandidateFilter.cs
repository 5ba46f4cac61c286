using System.Globalization;
using System.Text.Json;
using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling;

/// <summary>
/// The feasibility checks every algorithm shares. Each check that says no gives a <see cref="FilterReason"/> and a phrase for the
/// status detail. Order: state, then what the request names (direct, allowed clusters), then what the candidate is (runtime,
/// place, addons), then what it has free — so the reason shown is the most fundamental one.
/// </summary>
internal static class CandidateFilter
{
    /// <summary>Reservations are sums of fractions of cores; this keeps 0.1 + 0.2 from refusing a request of 0.3.</summary>
    public const double CpuTolerance = 1e-9;

    public static Rejection? Check(PlacementRequest request, Candidate candidate, PlacementConstraints constraints)
    {
        if (!candidate.Active)
        {
            return Reject(candidate, FilterReason.Inactive, "inactive");
        }

        if (Qualification(request, candidate, constraints) is { } unqualified)
        {
            return unqualified;
        }

        if (!FitsCpu(request, candidate))
        {
            return Reject(candidate, FilterReason.InsufficientCpu, $"insufficient cpu (free {Format(candidate.FreeVcpus)} vcpus)");
        }

        if (!FitsMemory(request, candidate))
        {
            return Reject(candidate, FilterReason.InsufficientMemory, $"insufficient memory (free {candidate.FreeMemoryMb} MB)");
        }

        return null;
    }

    /// <summary>The checks that capacity can never fix (naming, runtime, place, addons); null when the candidate qualifies.</summary>
    public static Rejection? Qualification(PlacementRequest request, Candidate candidate, PlacementConstraints constraints)
    {
        if (!constraints.IsNamedByDirect(candidate))
        {
            return Reject(candidate, FilterReason.NotNamedByDirectConstraint,
                $"not named by the direct constraint ({string.Join(";", constraints.DirectNames)})");
        }

        if (!constraints.IsAllowedCluster(candidate))
        {
            return Reject(candidate, FilterReason.NotInAllowedClusters, "not in the allowed clusters");
        }

        if (!Offers(request, candidate))
        {
            var runtime = Runtime(request.Virtualization);
            return Reject(candidate, FilterReason.MissingVirtualization, candidate.UnavailableRuntimes.TryGetValue(runtime, out var why)
                ? $"has no usable {runtime} runtime ({why})"
                : $"has no {runtime} runtime");
        }

        if (request.Privileged && !candidate.PrivilegedRuntimes.Any(r => Runtime(r) == Runtime(request.Virtualization)))
        {
            var flag = Runtime(request.Virtualization) == Virtualizations.Exec ? "canopy node --exec-as-root" : "canopy node --allow-privileged";
            return Reject(candidate, FilterReason.PrivilegedNotAllowed,
                $"does not allow privileged {Runtime(request.Virtualization)} workloads (its operator allows them with {flag})");
        }

        foreach (var (location, threshold) in constraints.Geo)
        {
            if (candidate.Location is not { } here)
            {
                return Reject(candidate, FilterReason.OutsideGeoThreshold, "has no location for the geo constraint");
            }

            var distance = here.DistanceKm(location);
            if (distance > threshold)
            {
                return Reject(candidate, FilterReason.OutsideGeoThreshold,
                    $"{Format(Math.Round(distance))} km from {location} (limit {Format(threshold)} km)");
            }
        }

        var missing = constraints.Needs.Where(n => !Provides(candidate, n)).ToList();
        return missing.Count > 0
            ? Reject(candidate, FilterReason.MissingNeeds, $"lacks {string.Join(", ", missing)}")
            : null;
    }

    /// <summary>A request for nothing always fits, even on a candidate that is already over-committed or reports no capacity.</summary>
    public static bool FitsCpu(PlacementRequest request, Candidate candidate) =>
        request.Vcpus <= 0 || request.Vcpus <= candidate.FreeVcpus + CpuTolerance;

    public static bool FitsMemory(PlacementRequest request, Candidate candidate) =>
        request.MemoryMb <= 0 || request.MemoryMb <= candidate.FreeMemoryMb;

    public static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The candidate has the runtime the request asks for.</summary>
    public static bool Offers(PlacementRequest request, Candidate candidate)
    {
        var wanted = Runtime(request.Virtualization);
        return candidate.Virtualizations.Any(v => Runtime(v) == wanted);
    }

    /// <summary>Known runtimes by their canonical name; an unknown one (a future runtime) still matches itself.</summary>
    public static string Runtime(string? virtualization) =>
        Virtualizations.Normalize(virtualization) ?? virtualization?.Trim().ToLowerInvariant() ?? "";

    /// <summary>A label set to a truthy value, or an entry of the candidate's <c>features</c> / <c>supported_addons</c> lists.</summary>
    private static bool Provides(Candidate candidate, string need)
    {
        foreach (var (key, value) in candidate.Extra)
        {
            if (string.Equals(key, need, StringComparison.OrdinalIgnoreCase) && IsTruthy(value))
            {
                return true;
            }

            if (key is "features" or "supported_addons" && Lists(value, need))
            {
                return true;
            }
        }

        return false;
    }

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
        JsonValueKind.String => value.GetString() is { Length: > 0 } s &&
                                !s.Equals("false", StringComparison.OrdinalIgnoreCase) && s != "0",
        JsonValueKind.Array => value.GetArrayLength() > 0,
        JsonValueKind.Object => value.EnumerateObject().Any(),
        _ => false,
    };

    private static Rejection Reject(Candidate candidate, FilterReason reason, string explanation) =>
        new(candidate.Name, reason) { Explanation = explanation };
}
