namespace Canopy.Contracts.Api;

/// <summary><c>GET /api/v1/services/{id}/instances/{n}</c>: the instance with its recent events, oldest first.</summary>
public sealed record InstanceDetailDocument : InstanceDocument
{
    public InstanceDetailDocument()
    {
    }

    /// <summary>The instance's fields as <paramref name="instance"/> has them; the caller adds the service and the events.</summary>
    public InstanceDetailDocument(InstanceDocument instance)
        : base(instance)
    {
    }

    public string ServiceId { get; init; } = "";
    public string JobName { get; init; } = "";
    public IReadOnlyList<InstanceEventDocument> Events { get; init; } = [];
}
