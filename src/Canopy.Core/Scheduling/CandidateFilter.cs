using System.Globalization;
using System.Text.Json;
using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling;

/// <summary>
/// The feasibility checks every algorithm shares. Each check that says no gives a <see cref="FilterReason"/>, and
/// <see cref="Explain"/> the phrase for the status detail. Order: state, then what the request names (direct, allowed clusters),
/// then what the candidate is (runtime, place, addons), then what it has free — so the reason shown is the most fundamental one.
/// </summary>
/// <remarks>
/// A cluster checks thousands of nodes per placement, most of which say no for the same reason: the checks allocate nothing,
/// and the phrase is written only for the refusals someone reads (<see cref="RejectionList"/>).
/// </remarks>
internal static class CandidateFilter
{
    /// <summary>Reservations are sums of fractions of cores; this keeps 0.1 + 0.2 from refusing a request of 0.3.</summary>
    public const double CpuTolerance = 1e-9;

    /// <summary>
    /// Whether the candidate can take the request: the same answer as <see cref="Refusal"/> being null, but with the cheap checks
    /// (state, capacity, runtime) first, because which check says no only matters for the refusals someone reads.
    /// </summary>
    public static bool Accepts(PlacementQuery query, Candidate candidate)
    {
        if (!candidate.Active || !FitsCpu(query.Request, candidate) || !FitsMemory(query.Request, candidate) ||
            !Offers(query.Runtime, candidate) || !HasArchitecture(query, candidate) || (query.Request.Privileged && !AllowsPrivileged(query.Runtime, candidate)))
        {
            return false;
        }

        var constraints = query.Constraints;
        if (!constraints.IsNamedByDirect(candidate) || !constraints.IsAllowedCluster(candidate))
        {
            return false;
        }

        for (var i = 0; i < query.Areas.Count; i++)
        {
            if (candidate.Location is not { } here || query.Areas[i].Excludes(here))
            {
                return false;
            }
        }

        for (var i = 0; i < constraints.Needs.Count; i++)
        {
            if (!Provides(candidate, constraints.Needs[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Why the candidate cannot take the request, the most fundamental reason first; null when it can.</summary>
    public static FilterReason? Refusal(PlacementQuery query, Candidate candidate)
    {
        if (!candidate.Active)
        {
            return FilterReason.Inactive;
        }

        if (Disqualification(query, candidate) is { } unqualified)
        {
            return unqualified;
        }

        if (!FitsCpu(query.Request, candidate))
        {
            return FilterReason.InsufficientCpu;
        }

        return FitsMemory(query.Request, candidate) ? null : FilterReason.InsufficientMemory;
    }

    /// <summary>The checks that capacity can never fix (naming, runtime, place, addons); null when the candidate qualifies.</summary>
    public static FilterReason? Disqualification(PlacementQuery query, Candidate candidate)
    {
        var constraints = query.Constraints;
        if (!constraints.IsNamedByDirect(candidate))
        {
            return FilterReason.NotNamedByDirectConstraint;
        }

        if (!constraints.IsAllowedCluster(candidate))
        {
            return FilterReason.NotInAllowedClusters;
        }

        if (!Offers(query.Runtime, candidate))
        {
            return FilterReason.MissingVirtualization;
        }

        if (!HasArchitecture(query, candidate))
        {
            return FilterReason.MissingArchitecture;
        }

        if (query.Request.Privileged && !AllowsPrivileged(query.Runtime, candidate))
        {
            return FilterReason.PrivilegedNotAllowed;
        }

        if (FarGeo(constraints, candidate) is not null)
        {
            return FilterReason.OutsideGeoThreshold;
        }

        for (var i = 0; i < constraints.Needs.Count; i++)
        {
            if (!Provides(candidate, constraints.Needs[i]))
            {
                return FilterReason.MissingNeeds;
            }
        }

        return null;
    }

    /// <summary>The refusal in words, with the numbers that matter, e.g. <c>insufficient memory (free 10 MB)</c>.</summary>
    public static string Explain(PlacementQuery query, Candidate candidate, FilterReason reason)
    {
        var runtime = query.Runtime;
        switch (reason)
        {
            case FilterReason.Inactive:
                return "inactive";
            case FilterReason.NotNamedByDirectConstraint:
                return $"not named by the direct constraint ({string.Join(";", query.Constraints.DirectNames)})";
            case FilterReason.NotInAllowedClusters:
                return "not in the allowed clusters";
            case FilterReason.MissingVirtualization:
                return candidate.UnavailableRuntimes.TryGetValue(runtime, out var why)
                    ? $"has no usable {runtime} runtime ({why})"
                    : $"has no {runtime} runtime";
            case FilterReason.MissingArchitecture:
                return candidate.Architectures.Count == 0
                    ? $"reports no architecture, service needs {string.Join(" or ", query.Architectures)}"
                    : $"architecture {string.Join(", ", candidate.Architectures)}, service needs {string.Join(" or ", query.Architectures)}";
            case FilterReason.PrivilegedNotAllowed:
                var flag = runtime == Virtualizations.Exec ? "canopy node --exec-as-root" : "canopy node --allow-privileged";
                return $"does not allow privileged {runtime} workloads (its operator allows them with {flag})";
            case FilterReason.OutsideGeoThreshold:
                if (candidate.Location is not { } here)
                {
                    return "has no location for the geo constraint";
                }

                var (location, threshold) = FarGeo(query.Constraints, candidate)!.Value;
                return $"{Format(Math.Round(here.DistanceKm(location)))} km from {location} (limit {Format(threshold)} km)";
            case FilterReason.MissingNeeds:
                return $"lacks {string.Join(", ", query.Constraints.Needs.Where(n => !Provides(candidate, n)))}";
            case FilterReason.InsufficientCpu:
                return $"insufficient cpu (free {Format(candidate.FreeVcpus)} vcpus)";
            case FilterReason.InsufficientMemory:
                return $"insufficient memory (free {candidate.FreeMemoryMb} MB)";
            default:
                return reason.ToString();
        }
    }

    /// <summary>A request for nothing always fits, even on a candidate that is already over-committed or reports no capacity.</summary>
    public static bool FitsCpu(PlacementRequest request, Candidate candidate) =>
        request.Vcpus <= 0 || request.Vcpus <= candidate.FreeVcpus + CpuTolerance;

    public static bool FitsMemory(PlacementRequest request, Candidate candidate) =>
        request.MemoryMb <= 0 || request.MemoryMb <= candidate.FreeMemoryMb;

    public static string Format(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The candidate has the runtime the request asks for.</summary>
    public static bool Offers(PlacementRequest request, Candidate candidate) => Offers(Runtime(request.Virtualization), candidate);

    /// <summary>Known runtimes by their canonical name; an unknown one (a future runtime) still matches itself.</summary>
    public static string Runtime(string? virtualization) =>
        Virtualizations.Normalize(virtualization) ?? virtualization?.Trim().ToLowerInvariant() ?? "";

    /// <summary>Whether one of <paramref name="runtimes"/> is <paramref name="wanted"/> (a canonical name).</summary>
    private static bool Has(IReadOnlyList<string> runtimes, string wanted)
    {
        for (var i = 0; i < runtimes.Count; i++)
        {
            // Runtime() of Canopy's canonical names is the name itself, so they need no normalising: a node lists them
            // as they are, and normalising each one for each placement would cost more than every other check.
            var runtime = runtimes[i];
            if (string.Equals(runtime, wanted, StringComparison.Ordinal) ||
                (!Virtualizations.IsCanonicalKnown(runtime) && Runtime(runtime) == wanted))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Offers(string wanted, Candidate candidate) => Has(candidate.Virtualizations, wanted);

    /// <summary>The candidate has one of the request's architectures (any, when the request names none).</summary>
    public static bool HasArchitecture(PlacementQuery query, Candidate candidate)
    {
        var wanted = query.Architectures;
        if (wanted.Count == 0)
        {
            return true;
        }

        var architectures = candidate.Architectures;
        for (var i = 0; i < architectures.Count; i++)
        {
            // Nodes report canonical names (amd64, arm64): only another spelling (x86_64 from a foreign node) is normalised.
            var architecture = architectures[i];
            var canonical = Architectures.IsCanonical(architecture) ? architecture : Architectures.Canonical(architecture);
            for (var j = 0; j < wanted.Count; j++)
            {
                if (string.Equals(canonical, wanted[j], StringComparison.Ordinal))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool AllowsPrivileged(string wanted, Candidate candidate) => Has(candidate.PrivilegedRuntimes, wanted);

    /// <summary>The first geo constraint the candidate is outside of (or the first at all when it has no location); null when within all.</summary>
    private static (GeoPoint Location, double ThresholdKm)? FarGeo(PlacementConstraints constraints, Candidate candidate)
    {
        for (var i = 0; i < constraints.Geo.Count; i++)
        {
            var (location, threshold) = constraints.Geo[i];
            if (candidate.Location is not { } here || here.DistanceKm(location) > threshold)
            {
                return constraints.Geo[i];
            }
        }

        return null;
    }

    /// <summary>A label set to a truthy value, or an entry of the candidate's <c>features</c> / <c>supported_addons</c> lists.</summary>
    private static bool Provides(Candidate candidate, string need)
    {
        // The concrete dictionary is enumerated without boxing its enumerator; any other implementation the slow way.
        if (candidate.Extra.Count == 0)
        {
            return false;
        }

        if (candidate.Extra is Dictionary<string, JsonElement> extra)
        {
            foreach (var (key, value) in extra)
            {
                if (Provides(key, value, need))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var (key, value) in candidate.Extra)
        {
            if (Provides(key, value, need))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Provides(string key, JsonElement value, string need) =>
        (string.Equals(key, need, StringComparison.OrdinalIgnoreCase) && IsTruthy(value)) ||
        (key is "features" or "supported_addons" && Lists(value, need));

    private static bool Lists(JsonElement value, string need)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    if (Lists(item, need))
                    {
                        return true;
                    }
                }

                return false;
            case JsonValueKind.String:
                // Equal text is equal ignoring case too; only other text needs the string read out of the JSON.
                return value.ValueEquals(need) || string.Equals(value.GetString(), need, StringComparison.OrdinalIgnoreCase);
            default:
                return false;
        }
    }

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
}
