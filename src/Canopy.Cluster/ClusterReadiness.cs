namespace Canopy.Cluster;

/// <summary>
/// What a host waits on before it calls the cluster ready (<c>canopy up</c> waits for <see cref="Registered"/>),
/// and the cluster's view of its root link.
/// </summary>
public sealed class ClusterReadiness
{
    private readonly TaskCompletionSource _registered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _connected;
    private volatile string? _clusterId;

    /// <summary>Completes when the cluster is registered at the root and its link is up; cancelled when the cluster stops first.</summary>
    public Task Registered => _registered.Task;

    /// <summary>The id the root gave this cluster; null before registration.</summary>
    public string? ClusterId => _clusterId;

    public bool ConnectedToRoot => _connected;

    internal void SetClusterId(string id) => _clusterId = id;

    internal void SetLinkUp()
    {
        _connected = true;
        _registered.TrySetResult();
    }

    internal void SetLinkDown() => _connected = false;

    internal void SetStopped() => _registered.TrySetCanceled();
}
