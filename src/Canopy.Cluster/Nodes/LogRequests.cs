using System.Collections.Concurrent;
using System.Security.Cryptography;
using Canopy.Contracts.Mqtt;

namespace Canopy.Cluster.Nodes;

/// <summary>Asks a node for an instance's log tail over MQTT and waits for its answer on <c>nodes/&lt;id&gt;/logs</c>.</summary>
internal sealed class LogRequests(NodeCommands commands)
{
    private readonly ConcurrentDictionary<string, Pending> _pending = new();

    /// <summary>Throws <see cref="TimeoutException"/> when the node does not answer in time.</summary>
    public async Task<LogsResult> RequestAsync(string nodeId, string serviceId, int instanceNumber, int tail, TimeSpan timeout, CancellationToken ct)
    {
        var requestId = RandomNumberGenerator.GetHexString(16, lowercase: true);
        var pending = new Pending(nodeId, new TaskCompletionSource<LogsResult>(TaskCreationOptions.RunContinuationsAsynchronously));
        _pending[requestId] = pending;
        try
        {
            commands.Logs(nodeId, new LogsRequest(requestId, serviceId, instanceNumber, tail));
            return await pending.Completion.Task.WaitAsync(timeout, ct);
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    /// <summary>Only the node that was asked may answer.</summary>
    public void Complete(string nodeId, LogsResult result)
    {
        if (_pending.TryGetValue(result.RequestId, out var pending) && pending.NodeId == nodeId)
        {
            pending.Completion.TrySetResult(result);
        }
    }

    private sealed record Pending(string NodeId, TaskCompletionSource<LogsResult> Completion);
}
