using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Canopy.Contracts.Api;

/// <summary>One entry of <c>GET /api/v1/instances</c>: an instance together with the service it belongs to.</summary>
public sealed record ServiceInstanceDocument : InstanceDocument
{
    public ServiceInstanceDocument()
    {
    }

    /// <summary>The instance's fields as <paramref name="instance"/> has them; the caller adds the service.</summary>
    [SetsRequiredMembers]
    public ServiceInstanceDocument(InstanceDocument instance, string serviceId)
        : base(instance)
    {
        ServiceId = serviceId;
    }

    public required string ServiceId { get; init; }
    [JsonPropertyName("applicationID")] public string ApplicationId { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string JobName { get; init; } = "";
}
