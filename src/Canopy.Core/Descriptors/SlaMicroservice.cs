using System.Text.Json;
using System.Text.Json.Serialization;
using Canopy.Core.States;

namespace Canopy.Core.Descriptors;

/// <summary>One microservice of an SLA: what becomes a Canopy service (Oakestra "job").</summary>
public sealed class SlaMicroservice
{
    [JsonPropertyName("microserviceID")] public string? MicroserviceId { get; set; }
    [JsonPropertyName("microservice_name")] public string MicroserviceName { get; set; } = "";
    [JsonPropertyName("microservice_namespace")] public string MicroserviceNamespace { get; set; } = "";

    /// <summary><c>container</c> (alias <c>docker</c>), <c>exec</c>, <c>wasm</c>, <c>vm</c> (alias <c>unikernel</c>), ...</summary>
    [JsonPropertyName("virtualization")] public string Virtualization { get; set; } = "";

    /// <summary>OCI image reference for containers, the module for wasm, the kernel image for vm; the program for <c>exec</c> without cmd.</summary>
    [JsonPropertyName("code")] public string Code { get; set; } = "";

    /// <summary>Oakestra's CPU architectures the service runs on (<c>amd64</c>, <c>arm64</c>, ...); placement keeps to them.</summary>
    [JsonPropertyName("arch")] public List<string>? Arch { get; set; }

    /// <summary>Oakestra's per-architecture kernel images for vm: entry i is the image for <see cref="Arch"/>[i].</summary>
    [JsonPropertyName("vm_images")] public List<string>? VmImages { get; set; }

    [JsonPropertyName("cmd")] public List<string>? Cmd { get; set; }
    [JsonPropertyName("args")] public List<string>? Args { get; set; }

    /// <summary><c>["KEY=value", ...]</c></summary>
    [JsonPropertyName("environment")] public List<string>? Environment { get; set; }

    /// <summary>Megabytes.</summary>
    [JsonPropertyName("memory")] public int Memory { get; set; }

    /// <summary>Cores; fractions allowed (a CPU quota).</summary>
    [JsonPropertyName("vcpus")] public double Vcpus { get; set; }

    [JsonPropertyName("vgpus")] public int Vgpus { get; set; }
    [JsonPropertyName("vtpus")] public int Vtpus { get; set; }
    [JsonPropertyName("storage")] public int Storage { get; set; }
    [JsonPropertyName("bandwidth_in")] public long BandwidthIn { get; set; }
    [JsonPropertyName("bandwidth_out")] public long BandwidthOut { get; set; }

    /// <summary><c>"host:container[/udp];..."</c> or a single port.</summary>
    [JsonPropertyName("port")] public string? Port { get; set; }

    [JsonPropertyName("addresses")] public SlaAddresses? Addresses { get; set; }
    [JsonPropertyName("one_shot")] public bool OneShot { get; set; }
    [JsonPropertyName("privileged")] public bool Privileged { get; set; }

    /// <summary>Canopy addition: <c>always</c> (default), <c>on-failure</c>, <c>never</c>.</summary>
    [JsonPropertyName("restart_policy")] public string? RestartPolicy { get; set; }

    /// <summary>Canopy addition: how many instances a deployment starts (default 1).</summary>
    [JsonPropertyName("instances")] public int? Instances { get; set; }

    /// <summary>Canopy addition: the registry credential (a secret's name) for pulling <see cref="Code"/>.</summary>
    [JsonPropertyName("registry_secret")] public string? RegistrySecret { get; set; }

    /// <summary>Canopy addition: secrets the instances get as environment variables or files.</summary>
    [JsonPropertyName("secrets")] public List<SlaSecretReference>? Secrets { get; set; }

    [JsonPropertyName("constraints")] public List<SlaConstraint>? Constraints { get; set; }
    [JsonPropertyName("connectivity")] public List<JsonElement>? Connectivity { get; set; }
    [JsonExtensionData] public Dictionary<string, JsonElement>? Extra { get; set; }

    /// <summary><c>one_shot</c> wins (never restarted); otherwise <c>restart_policy</c>, <c>always</c> when absent or unknown.</summary>
    public RestartPolicy RestartPolicyOrDefault() => OneShot
        ? States.RestartPolicy.Never
        : RestartPolicy?.Trim().ToLowerInvariant() switch
        {
            "on-failure" => States.RestartPolicy.OnFailure,
            "never" => States.RestartPolicy.Never,
            _ => States.RestartPolicy.Always,
        };

    /// <summary>How many instances a deployment starts: <see cref="Instances"/>, 1 when absent.</summary>
    public int InstancesOrDefault() => Instances is > 0 ? Instances.Value : 1;

    /// <summary><c>container</c>, <c>exec</c>, <c>wasm</c> or <c>vm</c> (aliases resolved); null for a runtime Canopy does not run.</summary>
    public string? NormalizedVirtualization() => Virtualizations.Normalize(Virtualization);

    /// <summary><see cref="Arch"/> by canonical names (<c>x86_64</c> → <c>amd64</c>), in order; empty when any architecture will do.</summary>
    public IReadOnlyList<string> NormalizedArch() => Arch is null ? [] : [.. Arch.Select(Architectures.Canonical)];

    /// <summary>The parsed <see cref="Port"/> field; empty when absent (or invalid, which validation refuses).</summary>
    public IReadOnlyList<PortMapping> PortMappings() => Descriptors.PortMappings.ParseOrEmpty(Port);
}
