using Canopy.Contracts;
using Canopy.Contracts.Mqtt;

namespace Canopy.Cluster.Nodes;

/// <summary>cluster → node commands on <c>nodes/&lt;id&gt;/control/...</c>; queued, so callers may hold the cluster gate.</summary>
internal sealed class NodeCommands(ClusterMqtt mqtt)
{
    public void Deploy(string nodeId, ServiceSpec spec, int instanceNumber) =>
        mqtt.Publish(NodeTopics.ControlDeploy(nodeId), CanopyJson.SerializeToUtf8(new DeployCommand(spec, instanceNumber)));

    public void Delete(string nodeId, string serviceId, int instanceNumber, string jobName) =>
        mqtt.Publish(NodeTopics.ControlDelete(nodeId), CanopyJson.SerializeToUtf8(new DeleteCommand(serviceId, instanceNumber, jobName)));

    public void Logs(string nodeId, LogsRequest request) =>
        mqtt.Publish(NodeTopics.ControlLogs(nodeId), CanopyJson.SerializeToUtf8(request));

    public void Error(string nodeId, string message) =>
        mqtt.Publish(NodeTopics.ControlError(nodeId), CanopyJson.SerializeToUtf8(new ControlError(message)));
}
