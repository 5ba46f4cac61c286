namespace Canopy.Core.Scheduling;

/// <summary>
/// One placement's request with what every candidate's checks need from it worked out once: its constraints for this tier,
/// the circles of its geo constraints and the runtime it names. Thousands of candidates are checked per placement, so nothing
/// here is recomputed per candidate.
/// </summary>
internal sealed class PlacementQuery
{
    public PlacementQuery(PlacementRequest request, PlacementTier tier)
    {
        Request = request;
        Tier = tier;
        Constraints = PlacementConstraints.From(request.Constraints, tier);
        Areas = [.. Constraints.Geo.Select(g => new GeoCircle(g.Location, g.ThresholdKm))];
        Runtime = CandidateFilter.Runtime(request.Virtualization);
        Architectures = [.. request.Architectures.Select(Descriptors.Architectures.Canonical).Distinct(StringComparer.Ordinal)];
    }

    public PlacementRequest Request { get; }
    public PlacementTier Tier { get; }
    public PlacementConstraints Constraints { get; }

    /// <summary>The geo constraints' circles, in their order.</summary>
    public IReadOnlyList<GeoCircle> Areas { get; }

    /// <summary>The canonical runtime the request asks for (<see cref="CandidateFilter.Runtime"/>).</summary>
    public string Runtime { get; }

    /// <summary>The request's architectures by their canonical names (<see cref="Descriptors.Architectures.Canonical"/>); empty = any.</summary>
    public IReadOnlyList<string> Architectures { get; }
}
