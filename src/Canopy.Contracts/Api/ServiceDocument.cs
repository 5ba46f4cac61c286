using System.Text.Json;
using System.Text.Json.Serialization;
using Canopy.Core.Descriptors;
using Canopy.Core.States;

namespace Canopy.Contracts.Api;

/// <summary>A service (Oakestra "job") as the API shows it: the SLA microservice, where it belongs, its status and instances.</summary>
public sealed record ServiceDocument
{
    [JsonPropertyName("microserviceID")] public required string MicroserviceId { get; init; }

    /// <summary>The id again, the way Oakestra's dashboard reads it.</summary>
    [JsonPropertyName("_id")] public ObjectIdDocument MongoId => new(MicroserviceId);

    [JsonPropertyName("applicationID")] public required string ApplicationId { get; init; }

    /// <summary>Oakestra's list answers name the application so; its detail answer says <see cref="AppName"/>. Both are given.</summary>
    public string ApplicationName { get; init; } = "";

    public string ApplicationNamespace { get; init; } = "";
    public string AppName { get; init; } = "";
    public string AppNs { get; init; } = "";
    public string MicroserviceName { get; init; } = "";
    public string MicroserviceNamespace { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string ServiceNs { get; init; } = "";
    public string JobName { get; init; } = "";
    public string Virtualization { get; init; } = "";
    public string Code { get; init; } = "";

    /// <summary>Oakestra's copy of <see cref="Code"/>.</summary>
    public string Image { get; init; } = "";

    public IReadOnlyList<string>? Cmd { get; init; }
    public IReadOnlyList<string>? Environment { get; init; }
    public int Memory { get; init; }
    public double Vcpus { get; init; }
    public int Vgpus { get; init; }
    public int Storage { get; init; }
    public string? Port { get; init; }
    public SlaAddresses? Addresses { get; init; }

    /// <summary>The service's round-robin address (Oakestra's copy of <c>addresses.rr_ip</c>).</summary>
    [JsonPropertyName("RR_ip")] public string? RrIp { get; init; }

    /// <summary>Oakestra's copy of <c>addresses.rr_ip_v6</c>, when the SLA gave one (Canopy does not route it).</summary>
    [JsonPropertyName("RR_ip_v6")] public string? RrIpV6 { get; init; }

    /// <summary>The service's closest-instance address, when the SLA asked for one (<c>addresses.closest_ip</c>; Canopy routes it).</summary>
    public string? ClosestIp { get; init; }

    public bool OneShot { get; init; }
    public bool Privileged { get; init; }
    public RestartPolicy RestartPolicy { get; init; }
    public IReadOnlyList<SlaConstraint>? Constraints { get; init; }

    /// <summary>Desired number of instances.</summary>
    public int Instances { get; init; }

    /// <summary>Derived from the instances (RUNNING only when all are).</summary>
    public string Status { get; init; } = "";

    public string? StatusDetail { get; init; }
    public IReadOnlyList<InstanceDocument> InstanceList { get; init; } = [];

    /// <summary>Fields of the SLA microservice Canopy does not interpret, kept as given.</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; init; }
}
