namespace Canopy.Contracts.Mqtt;

/// <summary>
/// Oakestra's cluster ⇄ node MQTT topics, plus Canopy's status (last will) and logs topics.
/// The broker lets node &lt;id&gt; use only <c>nodes/&lt;id&gt;/#</c>.
/// </summary>
public static class NodeTopics
{
    public const string AllNodes = "nodes/#";

    /// <summary>node → cluster, dynamic resources on change (<see cref="NodeInformation"/>).</summary>
    public static string Information(string nodeId) => $"nodes/{nodeId}/information";

    /// <summary>node → cluster, every instance it holds with metrics, on change and at least once a minute (<see cref="JobsResources"/>); also its full inventory.</summary>
    public static string JobsResources(string nodeId) => $"nodes/{nodeId}/jobs/resources";

    /// <summary>node → cluster, one instance's status change, at once (<see cref="InstanceReport"/>).</summary>
    public static string Job(string nodeId) => $"nodes/{nodeId}/job";

    /// <summary>node → cluster, retained <see cref="NodeStatus"/>: "online" on connect, "offline" as last will.</summary>
    public static string Status(string nodeId) => $"nodes/{nodeId}/status";

    /// <summary>cluster → node, <see cref="DeployCommand"/>.</summary>
    public static string ControlDeploy(string nodeId) => $"nodes/{nodeId}/control/deploy";

    /// <summary>cluster → node, <see cref="DeleteCommand"/>.</summary>
    public static string ControlDelete(string nodeId) => $"nodes/{nodeId}/control/delete";

    /// <summary>cluster → node, <see cref="LogsRequest"/>.</summary>
    public static string ControlLogs(string nodeId) => $"nodes/{nodeId}/control/logs";

    /// <summary>cluster → node, <see cref="ControlError"/> (e.g. "Node not registered to the cluster").</summary>
    public static string ControlError(string nodeId) => $"nodes/{nodeId}/control/error";

    /// <summary>cluster → node, retained <see cref="Net.NodeNetTable"/>: the whole table the node's net manager programs.</summary>
    public static string NetTable(string nodeId) => $"nodes/{nodeId}/net/table";

    /// <summary>node → cluster, <see cref="LogsResult"/>.</summary>
    public static string Logs(string nodeId) => $"nodes/{nodeId}/logs";

    /// <summary>Splits <c>nodes/&lt;id&gt;/&lt;rest&gt;</c>; false for any other topic.</summary>
    public static bool TryParse(string topic, out string nodeId, out string rest)
    {
        nodeId = rest = "";
        if (!topic.StartsWith("nodes/", StringComparison.Ordinal))
        {
            return false;
        }

        var slash = topic.IndexOf('/', 6);
        if (slash < 0)
        {
            return false;
        }

        nodeId = topic[6..slash];
        rest = topic[(slash + 1)..];
        return nodeId.Length > 0;
    }
}
