using System.Collections.ObjectModel;
using System.Text.Json;

namespace Canopy.Core.Scheduling;

/// <summary>
/// Something a service can be placed on: a cluster (at the root) or a worker node (at a cluster), as the scheduler sees it.
/// <see cref="ReservedVcpus"/> and <see cref="ReservedMemoryMb"/> are what placements already made on it hold,
/// so that decisions between two heartbeats never over-commit it.
/// </summary>
/// <remarks>A cluster builds one per node for every placement: empty defaults are shared, not allocated each time.</remarks>
public sealed record Candidate
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public bool Active { get; init; } = true;

    /// <summary>Logical cores (summed over workers for a cluster).</summary>
    public double Vcpus { get; init; }

    /// <summary>Total memory in MB.</summary>
    public long MemoryMb { get; init; }

    /// <summary>Memory the OS reports available, in MB.</summary>
    public long MemoryAvailableMb { get; init; }

    public double CpuPercent { get; init; }
    public double MemoryPercent { get; init; }
    public IReadOnlyList<string> Virtualizations { get; init; } = [];

    /// <summary>Runtimes it has but cannot use now, with why: a refused placement says it instead of only "has no runtime".</summary>
    public IReadOnlyDictionary<string, string> UnavailableRuntimes { get; init; } = ReadOnlyDictionary<string, string>.Empty;

    /// <summary>Runtimes that take privileged workloads here (for a cluster: on at least one of its workers).</summary>
    public IReadOnlyList<string> PrivilegedRuntimes { get; init; } = [];
    public IReadOnlyList<string> Architectures { get; init; } = [];
    public GeoPoint? Location { get; init; }

    /// <summary>Number of active workers (1 for a node).</summary>
    public int ActiveNodes { get; init; } = 1;

    /// <summary>Non-canonical resources and labels (e.g. <c>gpu_model</c>, <c>features</c>).</summary>
    public IReadOnlyDictionary<string, JsonElement> Extra { get; init; } = ReadOnlyDictionary<string, JsonElement>.Empty;

    public double ReservedVcpus { get; init; }
    public long ReservedMemoryMb { get; init; }

    /// <summary>Names by which a <c>direct</c> constraint may name this candidate (its name, and for a node its host name).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>
    /// How many times its cores a candidate's CPU may be promised. An SLA's <c>vcpus</c> is a quota (a ceiling), and CPU time is
    /// shared, not lost: a 2-core node may run three services of 1 vcpu each. Memory is never over-committed.
    /// </summary>
    public double CpuOvercommit { get; init; } = 1.0;

    /// <summary>The CPU that placements may reserve: cores × <see cref="CpuOvercommit"/>.</summary>
    public double SchedulableVcpus => Vcpus * Math.Max(1.0, CpuOvercommit);

    public double FreeVcpus => SchedulableVcpus - ReservedVcpus;
    public long FreeMemoryMb => MemoryMb - ReservedMemoryMb;
}
