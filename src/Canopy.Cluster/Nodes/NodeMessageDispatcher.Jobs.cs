using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Hosting.Channels;
using Canopy.Mqtt;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// <c>job</c> messages that queued up while the cluster was busy (a scale to 1,000 brings 2,000: CREATING and RUNNING of each)
/// are applied together: one pass under the gate, their changes in one store transaction. Only consecutive ones, so that
/// every node message is still handled in the order it came.
/// </summary>
internal sealed partial class NodeMessageDispatcher
{
    /// <summary>The most job reports applied in one pass: a pass holds the cluster gate.</summary>
    internal const int MaxJobBatch = 256;

    private static bool IsJob(MqttMessage message) =>
        !message.Payload.IsEmpty && NodeTopics.TryParse(message.Topic, out _, out var rest) && rest == "job";

    private async Task HandleJobsAsync(MqttMessage first, CancellationToken ct)
    {
        var batch = mqtt.Incoming.TakeRun(first, MaxJobBatch, IsJob);
        var jobs = new List<(string NodeId, InstanceReport Report)>(batch.Count);
        foreach (var message in batch)
        {
            NodeTopics.TryParse(message.Topic, out var nodeId, out _);
            if (await store.GetNodeAsync(nodeId, ct) is not { } node)
            {
                Log.UnknownNode(logger, nodeId, message.Topic);
                commands.Error(nodeId, NotRegistered);
                continue;
            }

            try
            {
                jobs.Add((nodeId, Read<InstanceReport>(message).InReceiverClock(node.ClockSkew())));
            }
            catch (JsonException e)
            {
                Log.BadMessage(logger, message.Topic, e.Message);
            }
        }

        if (jobs.Count > 0)
        {
            await gate.RunAsync(() => reports.OnJobsAsync(jobs, ct), ct);
        }
    }
}
