namespace Canopy.NodeEngine.Monitoring;

/// <summary>One sample of the node's dynamic resources.</summary>
/// <param name="CpuPercent">Busy share of all cores since the previous sample, 0–100.</param>
/// <param name="MemoryAvailableMb">MemAvailable: what can still be given to workloads without swapping.</param>
public readonly record struct NodeResources(
    double CpuPercent, int Vcpus, long MemoryAvailableMb, long MemoryTotalMb, double MemoryPercent);
