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

    /// <summary>Normalised: <c>container</c> or <c>exec</c>.</summary>
    public required string Virtualization { get; init; }

    /// <summary>OCI image reference (containers).</summary>
    public string Code { get; init; } = "";

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
}
