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
    private volatile LinkedRoot? _root;

    /// <summary>Completes when the cluster is registered at the root and its link is up; cancelled when the cluster stops first.</summary>
    public Task Registered => _registered.Task;

    /// <summary>The id the root gave this cluster; null before registration.</summary>
    public string? ClusterId => _clusterId;

    public bool ConnectedToRoot => _connected;

    /// <summary>The root address of the current (or last) link and since when it is up; null before the first link.</summary>
    public LinkedRoot? Root => _root;

    internal void SetRoot(string url, DateTimeOffset since) => _root = new LinkedRoot(url, since);

    internal void SetClusterId(string id) => _clusterId = id;

    internal void SetLinkUp()
    {
        _connected = true;
        _registered.TrySetResult();
    }

    internal void SetLinkDown() => _connected = false;

    internal void SetStopped() => _registered.TrySetCanceled();
}

/// <summary>A root replica the cluster is linked to, and since when.</summary>
public sealed record LinkedRoot(string Url, DateTimeOffset Since);
