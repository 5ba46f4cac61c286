using Canopy.Core.States;

namespace Canopy.Root.Store;

/// <summary>One step in an instance's story: a status it reached, said as a sentence, with where it was then.</summary>
public sealed record InstanceEventRecord(DateTimeOffset Time, InstanceStatus Status, string Detail, string? ClusterName, string? NodeName);
