using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling;

/// <summary>What one instance asks of the candidate it is placed on.</summary>
public sealed record PlacementRequest
{
    public required string ServiceId { get; init; }
    public int InstanceNumber { get; init; }
    public double Vcpus { get; init; }
    public int MemoryMb { get; init; }

    /// <summary>Canonical: <c>container</c>, <c>exec</c>, <c>wasm</c>, <c>vm</c> or a foreign runtime's name (see <see cref="Virtualizations.Canonical"/>).</summary>
    public required string Virtualization { get; init; }

    /// <summary>The SLA's <c>arch</c>: only a candidate of one of these architectures qualifies; empty = any.</summary>
    public IReadOnlyList<string> Architectures { get; init; } = [];

    public IReadOnlyList<SlaConstraint> Constraints { get; init; } = [];

    /// <summary>The SLA's <c>privileged</c>: only a candidate whose operator allows it for the runtime qualifies.</summary>
    public bool Privileged { get; init; }
}
