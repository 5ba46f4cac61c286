using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling;

/// <summary>
/// A request's constraints as this tier reads them, parsed once per placement.
/// <c>latency</c> is not here on purpose: without latency measurements between candidates and users there is nothing to
/// compare its threshold with, so it is accepted in the SLA but does not filter (Oakestra never evaluated it either).
/// </summary>
internal sealed record PlacementConstraints(
    IReadOnlyList<IReadOnlyList<string>> Direct,
    IReadOnlyList<IReadOnlyList<string>> AllowedClusters,
    IReadOnlyList<(GeoPoint Location, double ThresholdKm)> Geo,
    IReadOnlyList<string> Needs)
{
    public static PlacementConstraints From(IEnumerable<SlaConstraint> constraints, PlacementTier tier)
    {
        var direct = new List<IReadOnlyList<string>>();
        var allowed = new List<IReadOnlyList<string>>();
        var geo = new List<(GeoPoint, double)>();
        var needs = new List<string>();

        foreach (var constraint in constraints)
        {
            // Type is never null after validation, but a constraint built in code may skip it.
            switch ((constraint.Type ?? "").Trim().ToLowerInvariant())
            {
                case "direct":
                    // The root places on clusters and reads "cluster"; a cluster places on nodes and reads "node".
                    // A direct constraint that names nothing for this tier does not filter here.
                    var names = SplitNames(tier == PlacementTier.Root ? constraint.Cluster : constraint.Node);
                    if (names.Count > 0)
                    {
                        direct.Add(names);
                    }

                    break;
                case "clusters" when tier == PlacementTier.Root && constraint.Allowed is { Count: > 0 } list:
                    allowed.Add(list.Select(n => n.Trim()).Where(n => n.Length > 0).ToList());
                    break;
                case "geo" when GeoPoint.TryParse(constraint.Location) is { } location && constraint.Threshold is { } threshold && threshold > 0:
                    geo.Add((location, threshold));
                    break;
                case "addons" or "labels" when constraint.Needs is { } wanted:
                    needs.AddRange(wanted.Select(n => n.Trim()).Where(n => n.Length > 0));
                    break;
            }
        }

        return new PlacementConstraints(direct, allowed, geo, needs.Distinct(StringComparer.OrdinalIgnoreCase).ToList());
    }

    /// <summary>All names the direct constraints give for this tier (for messages).</summary>
    public IReadOnlyList<string> DirectNames => Direct.SelectMany(n => n).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    // Loops rather than LINQ: these run for every candidate of a placement, and a lambda over the candidate allocates each time.
    public bool IsNamedByDirect(Candidate candidate)
    {
        for (var i = 0; i < Direct.Count; i++)
        {
            if (!Matches(candidate, Direct[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool IsAllowedCluster(Candidate candidate)
    {
        for (var i = 0; i < AllowedClusters.Count; i++)
        {
            if (!Contains(AllowedClusters[i], candidate.Name))
            {
                return false;
            }
        }

        return true;
    }

    private static bool Matches(Candidate candidate, IReadOnlyList<string> names)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], candidate.Name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            // A node's aliases start with its name, which was just compared.
            var aliases = candidate.Aliases;
            for (var a = 0; a < aliases.Count; a++)
            {
                if (!ReferenceEquals(aliases[a], candidate.Name) && string.Equals(aliases[a], names[i], StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool Contains(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static List<string> SplitNames(string? names) =>
        names?.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList() ?? [];
}
