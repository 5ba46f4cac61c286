using System.Collections.Frozen;
using System.Reflection;
using System.Text.Json.Serialization;

namespace Canopy.Core.States;

public static class InstanceStatusExtensions
{
    private static readonly FrozenDictionary<InstanceStatus, string> WireNames =
        Enum.GetValues<InstanceStatus>().ToFrozenDictionary(
            s => s,
            s => typeof(InstanceStatus).GetField(s.ToString())!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()!.Name);

    private static readonly FrozenDictionary<string, InstanceStatus> ByWireName =
        WireNames.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    /// <summary>The Oakestra name of the status, as it appears on the wire.</summary>
    public static string ToWireName(this InstanceStatus status) => WireNames[status];

    public static bool TryParseWireName(string? name, out InstanceStatus status)
    {
        if (name is not null && ByWireName.TryGetValue(name, out status))
        {
            return true;
        }

        status = default;
        return false;
    }

    /// <summary>The instance is gone for good or ended; nothing will run it again without a new request.</summary>
    public static bool IsTerminal(this InstanceStatus status) =>
        status is InstanceStatus.Completed or InstanceStatus.Undeployed;

    /// <summary>A scheduler could not place the instance; it waits for capacity.</summary>
    public static bool IsNegativeScheduling(this InstanceStatus status) => status is
        InstanceStatus.NoActiveClusterWithCapacity or InstanceStatus.TargetClusterNotFound or
        InstanceStatus.TargetClusterNotActive or InstanceStatus.TargetClusterNoCapacity or
        InstanceStatus.NoWorkerCapacity or InstanceStatus.NoQualifiedWorkerFound;

    /// <summary>The instance holds (or is about to hold) resources on a node.</summary>
    public static bool IsPlacedOnNode(this InstanceStatus status) => status is
        InstanceStatus.NodeScheduled or InstanceStatus.Creating or InstanceStatus.Running or
        InstanceStatus.Dead or InstanceStatus.Failed;
}
