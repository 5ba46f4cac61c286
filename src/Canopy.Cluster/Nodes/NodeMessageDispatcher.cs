using System.Text.Json;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Mqtt;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// Reads what nodes publish, in arrival order, and hands each message to its handler under the <see cref="ClusterGate"/>.
/// A node the cluster never registered is told so on <c>control/error</c> and otherwise ignored.
/// </summary>
internal sealed partial class NodeMessageDispatcher(
    ClusterMqtt mqtt, ClusterGate gate, IClusterStore store, NodeHealth health, NodeReports reports, InventoryReconciler inventory,
    LogRequests logs, NodeCommands commands, NodeReadings readings, ILogger<NodeMessageDispatcher> logger) : BackgroundService
{
    public const string NotRegistered = "Node not registered to the cluster";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await foreach (var message in mqtt.Incoming.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (IsJob(message))
                {
                    await HandleJobsAsync(message, stoppingToken);
                    continue;
                }

                await HandleAsync(message, stoppingToken);
            }
            catch (JsonException e)
            {
                Log.BadMessage(logger, message.Topic, e.Message);
            }
            catch (Exception e) when (e is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, e, message.Topic);
            }
        }
    }

    private async Task HandleAsync(MqttMessage message, CancellationToken ct)
    {
        // An empty retained message only clears a topic.
        if (message.Payload.IsEmpty || !NodeTopics.TryParse(message.Topic, out var nodeId, out var rest))
        {
            return;
        }

        if (await store.GetNodeAsync(nodeId, ct) is not { } node)
        {
            Log.UnknownNode(logger, nodeId, message.Topic);
            commands.Error(nodeId, NotRegistered);
            return;
        }

        switch (rest)
        {
            case "information":
                var information = readings.Clamp(nodeId, Read<NodeInformation>(message));
                await gate.RunAsync(() => health.OnInformationAsync(nodeId, information, ct), ct);
                break;
            case "status":
                var status = ReadStatus(message);
                await gate.RunAsync(() => health.OnStatusAsync(nodeId, status, ct), ct);
                break;
            case "jobs/resources":
                var skew = node.ClockSkew();
                var services = Read<JobsResources>(message).Services ?? throw new JsonException("JobsResources without services");
                var jobs = new JobsResources(services.Select(r => r.InReceiverClock(skew)).ToList());
                await gate.RunAsync(() => inventory.OnInventoryAsync(nodeId, jobs, ct), ct);
                break;
            case "logs":
                var result = Read<LogsResult>(message);
                if (result.RequestId is null)
                {
                    throw new JsonException("LogsResult without request_id");
                }

                logs.Complete(nodeId, result);
                break;
        }
    }

    private static T Read<T>(MqttMessage message) =>
        CanopyJson.Deserialize<T>(message.Payload.Span) ?? throw new JsonException($"{typeof(T).Name} expected, got null");

    /// <summary>A <see cref="NodeStatus"/> document, or the bare word a simpler client may publish.</summary>
    private static string ReadStatus(MqttMessage message)
    {
        var text = message.PayloadText.Trim();
        return text.StartsWith('{') ? Read<NodeStatus>(message).Status : text.Trim('"');
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.UnknownNodeMessage, Level = LogLevel.Warning,
            Message = "Message from unregistered node {NodeId} on {Topic}: told it to register, ignored it")]
        public static partial void UnknownNode(ILogger logger, string nodeId, string topic);

        [LoggerMessage(EventId = EventIds.BadNodeMessage, Level = LogLevel.Warning, Message = "Ignored malformed message on {Topic}: {Error}")]
        public static partial void BadMessage(ILogger logger, string topic, string error);

        [LoggerMessage(EventId = EventIds.NodeMessageFailed, Level = LogLevel.Error, Message = "Handling the message on {Topic} failed")]
        public static partial void Failed(ILogger logger, Exception error, string topic);
    }
}
