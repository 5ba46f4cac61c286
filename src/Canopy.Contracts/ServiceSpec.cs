using Canopy.Core.Descriptors;
using Canopy.Core.States;

namespace Canopy.Contracts;

/// <summary>
/// What a cluster and a node need to know to place and run a service's instances; sent root → cluster → node.
/// Built by the root from the stored service.
/// </summary>
public sealed record ServiceSpec
{
    public required string ServiceId { get; init; }

    /// <summary><c>app.appns.service.servicens</c></summary>
    public required string JobName { get; init; }

    public string AppName { get; init; } = "";
    public string AppNs { get; init; } = "";
    public string ServiceName { get; init; } = "";
    public string ServiceNs { get; init; } = "";

    /// <summary>Normalised: <c>container</c>, <c>exec</c>, <c>wasm</c> or <c>vm</c> (<see cref="Virtualizations.Normalize"/>).</summary>
    public required string Virtualization { get; init; }

    /// <summary>OCI image reference (containers), module URL or OCI artifact (wasm), kernel image URL (vm).</summary>
    public string Code { get; init; } = "";

    /// <summary>
    /// The SLA's <c>arch</c> (Oakestra): the CPU architectures (<c>amd64</c>, <c>arm64</c>, ...) the service runs on; empty = any.
    /// Placement keeps to nodes of one of them; for <c>vm</c>, entry i names the architecture of <see cref="VmImages"/>[i].
    /// </summary>
    public IReadOnlyList<string> Arch { get; init; } = [];

    /// <summary>The SLA's <c>vm_images</c> (Oakestra): one kernel image URL per <see cref="Arch"/> entry; a vm node runs the one for its architecture.</summary>
    public IReadOnlyList<string> VmImages { get; init; } = [];

    public IReadOnlyList<string> Cmd { get; init; } = [];
    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary><c>KEY=value</c> entries.</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>Memory limit in MB; 0 = no limit.</summary>
    public int Memory { get; init; }

    /// <summary>CPU quota in cores; 0 = no limit.</summary>
    public double Vcpus { get; init; }

    public int Vgpus { get; init; }
    public int Storage { get; init; }

    /// <summary>The SLA port field, verbatim.</summary>
    public string? Port { get; init; }

    public bool OneShot { get; init; }
    public bool Privileged { get; init; }
    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.Always;
    public IReadOnlyList<SlaConstraint> Constraints { get; init; } = [];
    public string? RrIp { get; init; }

    /// <summary>The service's closest-instance IP, when the SLA asked for one (<c>addresses.closest_ip</c>).</summary>
    public string? ClosestIp { get; init; }

    /// <summary>The secret values its instances need (deploys only; the root's other uses of a spec leave it out).</summary>
    public ServiceSecrets? Secrets { get; init; }

    /// <summary>
    /// <see cref="Secrets"/> encrypted with the key of the tier that keeps the spec (cluster store, node's spec.json); only that
    /// tier can open it. Never sent.
    /// </summary>
    public string? SealedSecrets { get; init; }

    /// <summary>This spec as a tier writes it to disk: the secret values encrypted by <paramref name="seal"/>, none in clear.</summary>
    public ServiceSpec ToStored(Func<byte[], string> seal) => Secrets is null or { IsEmpty: true }
        ? this with { Secrets = null, SealedSecrets = null }
        : this with { Secrets = null, SealedSecrets = seal(CanopyJson.SerializeToUtf8(Secrets)) };

    /// <summary>A stored spec with its secret values opened by <paramref name="open"/>.</summary>
    public ServiceSpec FromStored(Func<string, byte[]> open) => SealedSecrets is null
        ? this
        : this with { Secrets = CanopyJson.Deserialize<ServiceSecrets>(open(SealedSecrets)), SealedSecrets = null };
}
