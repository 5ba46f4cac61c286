using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// The labels on every pod sandbox and container Canopy creates. Canopy lists and touches only what carries its
/// node label, so whatever else lives in the same containerd (an operator's, another node engine's) stays untouched.
/// </summary>
internal static class ContainerLabels
{
    public const string Node = "io.canopy.node";
    public const string ServiceId = "io.canopy.service-id";

    /// <summary><c>&lt;service_id&gt;.&lt;n&gt;</c>: one label selects one instance.</summary>
    public const string Instance = "io.canopy.instance";

    public static Dictionary<string, string> Of(string nodeKey, InstanceKey key) => new(StringComparer.Ordinal)
    {
        [Node] = nodeKey,
        [ServiceId] = key.ServiceId,
        [Instance] = key.ToString(),
    };

    public static Dictionary<string, string> NodeSelector(string nodeKey) => new(StringComparer.Ordinal) { [Node] = nodeKey };

    public static Dictionary<string, string> InstanceSelector(string nodeKey, InstanceKey key) => new(StringComparer.Ordinal)
    {
        [Node] = nodeKey,
        [Instance] = key.ToString(),
    };

    /// <summary>The instance a sandbox or container belongs to; false when its labels do not name one.</summary>
    public static bool TryGetInstance(IReadOnlyDictionary<string, string> labels, out InstanceKey key)
    {
        key = default;
        return labels.TryGetValue(Instance, out var name) && InstanceKey.TryParse(name, out key);
    }
}
