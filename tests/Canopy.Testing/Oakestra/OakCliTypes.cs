using System.Text.Json;
using System.Text.Json.Serialization;

namespace Canopy.Testing.Oakestra;

// The structs Oakestra's `oak` CLI decodes the root's answers into (oakestra/oakestra-cli, oak_go_cli/internal/api/client.go:
// Application, ServiceInstance, MetricPoint, Service, Cluster), written again from their field lists with the same JSON
// names and the same types. Go's decoder fails the whole command on one field of the wrong type; OakJson does the same.

/// <summary>Decodes like the <c>oak</c> CLI: exact types (no number from a string or back), unknown fields ignored.</summary>
public static class OakJson
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        NumberHandling = JsonNumberHandling.Strict,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip,
        PropertyNameCaseInsensitive = false,
    };

    public static T Decode<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"null where a {typeof(T).Name} was expected");
}

public sealed record OakApplication
{
    [JsonPropertyName("applicationID")] public string ApplicationId { get; init; } = "";
    [JsonPropertyName("application_name")] public string ApplicationName { get; init; } = "";
    [JsonPropertyName("application_namespace")] public string ApplicationNamespace { get; init; } = "";
    [JsonPropertyName("application_desc")] public string ApplicationDesc { get; init; } = "";
    [JsonPropertyName("microservices")] public List<string> Microservices { get; init; } = [];
}

public sealed record OakMetricPoint
{
    [JsonPropertyName("value")] public string Value { get; init; } = "";
    [JsonPropertyName("timestamp")] public string Timestamp { get; init; } = "";
}

public sealed record OakServiceInstance
{
    [JsonPropertyName("instance_number")] public int InstanceNumber { get; init; }
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("status_detail")] public string StatusDetail { get; init; } = "";
    [JsonPropertyName("publicip")] public string PublicIp { get; init; } = "";
    [JsonPropertyName("cluster_id")] public string ClusterId { get; init; } = "";
    [JsonPropertyName("cluster_location")] public string ClusterLocation { get; init; } = "";
    [JsonPropertyName("host_ip")] public string HostIp { get; init; } = "";
    [JsonPropertyName("host_port")] public int HostPort { get; init; }
    [JsonPropertyName("disk")] public string Disk { get; init; } = "";
    [JsonPropertyName("cpu_percent")] public string CpuPercent { get; init; } = "";
    [JsonPropertyName("memory_percent")] public string MemoryPercent { get; init; } = "";
    [JsonPropertyName("cpu_history")] public List<OakMetricPoint> CpuHistory { get; init; } = [];
    [JsonPropertyName("memory_history")] public List<OakMetricPoint> MemoryHistory { get; init; } = [];
    [JsonPropertyName("logs")] public string Logs { get; init; } = "";
    [JsonPropertyName("worker_id")] public string WorkerId { get; init; } = "";
}

public sealed record OakService
{
    [JsonPropertyName("microserviceID")] public string MicroserviceId { get; init; } = "";
    [JsonPropertyName("microservice_name")] public string MicroserviceName { get; init; } = "";
    [JsonPropertyName("microservice_namespace")] public string MicroserviceNamespace { get; init; } = "";
    [JsonPropertyName("applicationID")] public string ApplicationId { get; init; } = "";
    [JsonPropertyName("application_name")] public string ApplicationName { get; init; } = "";
    [JsonPropertyName("app_name")] public string AppName { get; init; } = "";
    [JsonPropertyName("application_namespace")] public string ApplicationNamespace { get; init; } = "";
    [JsonPropertyName("app_ns")] public string AppNs { get; init; } = "";
    [JsonPropertyName("instance_list")] public List<OakServiceInstance> InstanceList { get; init; } = [];
    [JsonPropertyName("status")] public string Status { get; init; } = "";
    [JsonPropertyName("status_detail")] public string StatusDetail { get; init; } = "";
    [JsonPropertyName("port")] public string Port { get; init; } = "";
    [JsonPropertyName("code")] public string Code { get; init; } = "";
    [JsonPropertyName("virtualization")] public string Virtualization { get; init; } = "";
    [JsonPropertyName("memory")] public int Memory { get; init; }
    [JsonPropertyName("vcpus")] public int Vcpus { get; init; }
    [JsonPropertyName("vgpus")] public int Vgpus { get; init; }
    [JsonPropertyName("environment")] public List<string> Environment { get; init; } = [];
    [JsonPropertyName("RR_ip")] public string RrIp { get; init; } = "";
}

public sealed record OakCluster
{
    [JsonPropertyName("_id")] public string ClusterId { get; init; } = "";
    [JsonPropertyName("cluster_name")] public string ClusterName { get; init; } = "";
    [JsonPropertyName("candidate_name")] public string CandidateName { get; init; } = "";
    [JsonPropertyName("ip")] public string ClusterIp { get; init; } = "";

    /// <summary>Go's <c>interface{}</c>: a number or a string.</summary>
    [JsonPropertyName("port")] public JsonElement Port { get; init; }

    [JsonPropertyName("active")] public bool Active { get; init; }
    [JsonPropertyName("active_nodes")] public int ActiveNodes { get; init; }
    [JsonPropertyName("cluster_location")] public string ClusterLocation { get; init; } = "";
    [JsonPropertyName("total_cpu_cores")] public int TotalCpuCores { get; init; }
    [JsonPropertyName("total_gpu_cores")] public int TotalGpuCores { get; init; }
    [JsonPropertyName("vcpus")] public int Vcpus { get; init; }
    [JsonPropertyName("vgpus")] public int Vgpus { get; init; }
    [JsonPropertyName("memory_in_mb")] public int MemoryInMb { get; init; }
    [JsonPropertyName("vram")] public int Vram { get; init; }
    [JsonPropertyName("cpu_percent")] public double CpuPercent { get; init; }
    [JsonPropertyName("memory_percent")] public double MemoryPercent { get; init; }
    [JsonPropertyName("gpu_percent")] public double GpuPercent { get; init; }
    [JsonPropertyName("gpu_temp")] public double GpuTemp { get; init; }
    [JsonPropertyName("vram_percent")] public double VramPercent { get; init; }
    [JsonPropertyName("virtualization")] public List<string> Virtualization { get; init; } = [];
    [JsonPropertyName("csi_drivers")] public List<string> CsiDrivers { get; init; } = [];
    [JsonPropertyName("supported_addons")] public List<string> SupportedAddons { get; init; } = [];
    [JsonPropertyName("gpu_drivers")] public List<string> GpuDrivers { get; init; } = [];
    [JsonPropertyName("last_modified_timestamp")] public double LastModifiedTimestamp { get; init; }
}
