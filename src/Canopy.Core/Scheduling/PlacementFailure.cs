using Canopy.Core.Descriptors;
using Canopy.Core.States;

namespace Canopy.Core.Scheduling;

/// <summary>
/// Turns "nothing feasible" into Oakestra's negative status and a sentence that says why, candidate by candidate.
/// </summary>
internal static class PlacementFailure
{
    /// <summary>A status detail is shown in tables and stored per instance: long enough to explain, short enough to read.</summary>
    public const int MaxDetailLength = 400;

    public static (InstanceStatus Status, string Detail) Explain(
        PlacementQuery query, IReadOnlyList<Candidate> candidates, RejectionList rejections) =>
        query.Tier == PlacementTier.Root
            ? ExplainRoot(query, candidates, rejections)
            : ExplainCluster(query, candidates, rejections);

    private static (InstanceStatus, string) ExplainRoot(PlacementQuery query, IReadOnlyList<Candidate> candidates, RejectionList rejections)
    {
        var (request, constraints) = (query.Request, query.Constraints);
        var what = Describe(request);
        if (constraints.Direct.Count == 0)
        {
            return NoClusterOffers(request, candidates) is { } runtime
                ? (InstanceStatus.NoActiveClusterWithCapacity, runtime)
                : NoneHasArchitecture(query, candidates, "cluster") is { } architecture
                    ? (InstanceStatus.NoActiveClusterWithCapacity, architecture)
                    : (InstanceStatus.NoActiveClusterWithCapacity, List($"no active cluster can take {what}", rejections, "no cluster is registered"));
        }

        var targets = string.Join(";", constraints.DirectNames);
        var named = candidates.Where(constraints.IsNamedByDirect).ToList();
        if (named.Count == 0)
        {
            return (InstanceStatus.TargetClusterNotFound,
                Cap($"the direct constraint names cluster {targets}, which is not registered (clusters: {Names(candidates)})"));
        }

        var namedRejections = Of(named, rejections);
        return named.All(c => !c.Active)
            ? (InstanceStatus.TargetClusterNotActive, Cap($"target cluster {targets} is not active"))
            : (InstanceStatus.TargetClusterNoCapacity, List($"target cluster {targets} cannot take {what}", namedRejections, "no candidate"));
    }

    private static (InstanceStatus, string) ExplainCluster(PlacementQuery query, IReadOnlyList<Candidate> candidates, RejectionList rejections)
    {
        var (request, constraints) = (query.Request, query.Constraints);
        var what = Describe(request);
        if (constraints.Direct.Count > 0)
        {
            // A named node that is missing or cannot take the instance: the request is tied to it, so more capacity elsewhere will not help.
            var targets = string.Join(";", constraints.DirectNames);
            var named = candidates.Where(constraints.IsNamedByDirect).ToList();
            return named.Count == 0
                ? (InstanceStatus.NoQualifiedWorkerFound,
                    Cap($"the direct constraint names node {targets}, which is not a worker of this cluster (workers: {Names(candidates)})"))
                : (InstanceStatus.NoQualifiedWorkerFound,
                    List($"target node {targets} cannot take {what}", Of(named, rejections), "no candidate"));
        }

        if (NoneHasArchitecture(query, candidates, "worker") is { } architecture)
        {
            return (InstanceStatus.NoQualifiedWorkerFound, architecture);
        }

        var anyQualified = candidates.Count == 0 ||
                           candidates.Any(c => CandidateFilter.Disqualification(query, c) is null);
        return anyQualified
            ? (InstanceStatus.NoWorkerCapacity, List($"no worker can take {what}", rejections, "the cluster has no workers"))
            : (InstanceStatus.NoQualifiedWorkerFound, List($"no worker qualifies for {what}", rejections, "the cluster has no workers"));
    }

    /// <summary>
    /// "no cluster offers runtime wasm (clusters offer container, exec)" when no cluster, active or not, has the runtime:
    /// capacity is then not the problem; followed by why, for each cluster that has the runtime but cannot use it (a node without
    /// a static busybox). Null when one has it (or, for Canopy's own runtimes, when there are no clusters at all).
    /// </summary>
    private static string? NoClusterOffers(PlacementRequest request, IReadOnlyList<Candidate> candidates)
    {
        if (candidates.Any(c => CandidateFilter.Offers(request, c)) || (candidates.Count == 0 && !Virtualizations.IsForeign(request.Virtualization)))
        {
            return null;
        }

        var runtime = CandidateFilter.Runtime(request.Virtualization);
        var offered = candidates.SelectMany(c => c.Virtualizations).Select(CandidateFilter.Runtime).Distinct().Order().ToList();
        var unusable = candidates.Where(c => c.UnavailableRuntimes.ContainsKey(runtime))
            .Select(c => $"{c.Name} has no usable {runtime} runtime ({c.UnavailableRuntimes[runtime]})")
            .ToList();
        return Cap(candidates.Count == 0
            ? $"no cluster offers runtime {runtime}: no cluster is registered"
            : $"no cluster offers runtime {runtime} (clusters offer {(offered.Count == 0 ? "none" : string.Join(", ", offered))})" +
              (unusable.Count == 0 ? "" : ": " + string.Join(", ", unusable)));
    }

    /// <summary>
    /// "no cluster has architecture arm64 (clusters have amd64)" when the request names architectures and no candidate, active or
    /// not, has one: no capacity will help until one joins. Null when one has it, the request names none, or there are no candidates.
    /// </summary>
    private static string? NoneHasArchitecture(PlacementQuery query, IReadOnlyList<Candidate> candidates, string kind)
    {
        if (query.Architectures.Count == 0 || candidates.Count == 0 || candidates.Any(c => CandidateFilter.HasArchitecture(query, c)))
        {
            return null;
        }

        var present = candidates.SelectMany(c => c.Architectures).Select(Architectures.Canonical).Distinct().Order(StringComparer.Ordinal).ToList();
        return Cap($"no {kind} has architecture {string.Join(" or ", query.Architectures)} " +
                   $"({kind}s have {(present.Count == 0 ? "no architecture reported" : string.Join(", ", present))})");
    }

    /// <summary>The refusals of the candidates that share a name with one of <paramref name="named"/>.</summary>
    private static RejectionList Of(List<Candidate> named, RejectionList rejections)
    {
        var names = named.Select(c => c.Name).ToHashSet(StringComparer.Ordinal);
        return rejections.Of(c => names.Contains(c.Name));
    }

    private static string Describe(PlacementRequest request) =>
        $"{CandidateFilter.Format(request.Vcpus)} vcpus / {request.MemoryMb} MB";

    private static string Names(IReadOnlyList<Candidate> candidates) =>
        candidates.Count == 0 ? "none" : string.Join(", ", candidates.Select(c => c.Name));

    /// <summary>"prefix: a reason, b reason, and N more", within <see cref="MaxDetailLength"/>.</summary>
    private static string List(string prefix, IReadOnlyList<Rejection> rejections, string whenEmpty)
    {
        if (rejections.Count == 0)
        {
            return Cap($"{prefix}: {whenEmpty}");
        }

        var text = $"{prefix}: ";
        var shown = 0;
        foreach (var rejection in rejections)
        {
            var next = $"{text}{(shown == 0 ? "" : ", ")}{rejection.CandidateName} {rejection.Explanation}";
            var left = rejections.Count - shown - 1;

            // Keep room for the ", and N more" tail so that how much was left out is never cut off itself.
            var tail = left > 0 ? $", and {left} more".Length : 0;
            if (next.Length + tail > MaxDetailLength)
            {
                break;
            }

            text = next;
            shown++;
        }

        if (shown < rejections.Count)
        {
            text += shown == 0 ? $"{rejections.Count} candidates refused" : $", and {rejections.Count - shown} more";
        }

        return Cap(text);
    }

    private static string Cap(string text) => text.Length <= MaxDetailLength ? text : string.Concat(text.AsSpan(0, MaxDetailLength - 1), "…");
}
