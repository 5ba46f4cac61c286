namespace Canopy.Root.Store;

/// <summary>One instance's usage as its cluster last measured it.</summary>
public sealed record InstanceMetricsSample(string ServiceId, int InstanceNumber, double CpuPercent, double Memory, double MemoryPercent, int RestartCount);
