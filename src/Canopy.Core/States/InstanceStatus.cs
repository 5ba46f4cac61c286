using System.Text.Json.Serialization;

namespace Canopy.Core.States;

/// <summary>
/// The life of one service instance, with Oakestra's status names on the wire so that its clients keep working.
/// Allowed moves between them are in <see cref="InstanceTransitions"/>.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<InstanceStatus>))]
public enum InstanceStatus
{
    [JsonStringEnumMemberName("REQUESTED")] Requested,
    [JsonStringEnumMemberName("CLUSTER_SCHEDULED")] ClusterScheduled,
    [JsonStringEnumMemberName("NODE_SCHEDULED")] NodeScheduled,
    [JsonStringEnumMemberName("CREATING")] Creating,
    [JsonStringEnumMemberName("RUNNING")] Running,
    [JsonStringEnumMemberName("COMPLETED")] Completed,
    [JsonStringEnumMemberName("FAILED")] Failed,
    [JsonStringEnumMemberName("DEAD")] Dead,
    [JsonStringEnumMemberName("UNDEPLOYED")] Undeployed,

    // Negative scheduling outcomes: the root could not place the instance on a cluster...
    [JsonStringEnumMemberName("NoActiveClusterWithCapacity")] NoActiveClusterWithCapacity,
    [JsonStringEnumMemberName("TargetClusterNotFound")] TargetClusterNotFound,
    [JsonStringEnumMemberName("TargetClusterNotActive")] TargetClusterNotActive,
    [JsonStringEnumMemberName("TargetClusterNoCapacity")] TargetClusterNoCapacity,

    // ...or the cluster could not place it on a worker.
    [JsonStringEnumMemberName("NO_WORKER_CAPACITY")] NoWorkerCapacity,
    [JsonStringEnumMemberName("NO_QUALIFIED_WORKER_FOUND")] NoQualifiedWorkerFound,
}
