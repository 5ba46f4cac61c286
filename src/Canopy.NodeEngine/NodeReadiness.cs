namespace Canopy.NodeEngine;

/// <summary>Tells the CLI and tests when the node is in service: registered with its cluster and connected to the broker.</summary>
public sealed class NodeReadiness
{
    private readonly TaskCompletionSource _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the first time the node is registered, connected and subscribed to its control topics.</summary>
    public Task Connected => _connected.Task;

    /// <summary>The id the cluster gave this node; null until registered.</summary>
    public string? NodeId { get; private set; }

    internal void SetRegistered(string nodeId) => NodeId = nodeId;

    internal void SetConnected() => _connected.TrySetResult();
}
