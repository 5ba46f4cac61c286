namespace Canopy.Core.Scheduling;

/// <summary>
/// One placement's request with what every candidate's checks need from it worked out once: its constraints for this tier and
/// the runtime it names. Thousands of candidates are checked per placement, so nothing here is recomputed per candidate.
/// </summary>
internal sealed class PlacementQuery(PlacementRequest request, PlacementTier tier)
{
    public PlacementRequest Request { get; } = request;
    public PlacementTier Tier { get; } = tier;
    public PlacementConstraints Constraints { get; } = PlacementConstraints.From(request.Constraints, tier);

    /// <summary>The canonical runtime the request asks for (<see cref="CandidateFilter.Runtime"/>).</summary>
    public string Runtime { get; } = CandidateFilter.Runtime(request.Virtualization);
}
