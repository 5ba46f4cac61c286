namespace Canopy.Contracts.Api;

/// <summary><c>GET /api/v1/services/{id}/instances/{n}</c>: the instance with its recent events, oldest first.</summary>
public sealed record InstanceDetailDocument : InstanceDocument
{
    public string ServiceId { get; init; } = "";
    public string JobName { get; init; } = "";
    public IReadOnlyList<InstanceEventDocument> Events { get; init; } = [];
}
