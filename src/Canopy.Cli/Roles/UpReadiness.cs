using Canopy.Cluster;
using Canopy.Hosting;
using Canopy.NodeEngine;

namespace Canopy.Cli.Roles;

/// <summary>
/// What the root's <c>GET /health/ready</c> waits for under <c>canopy up</c>: the embedded cluster connected to the root,
/// the embedded node joined, and the start-up finished (its banner printed). Required before the root starts, so the
/// endpoint never answers ready for a process whose lower tiers do not exist yet.
/// </summary>
internal sealed class UpReadiness
{
    // Set by the starting thread, read by the requests of /health/ready.
    private volatile ClusterReadiness? _cluster;
    private volatile NodeReadiness? _node;
    private volatile bool _started;

    public ClusterReadiness? Cluster { get => _cluster; set => _cluster = value; }
    public NodeReadiness? Node { get => _node; set => _node = value; }
    public bool Started { get => _started; set => _started = value; }

    /// <summary>Makes the root's readiness wait for what this tracks; called before the root starts.</summary>
    public void Register(Readiness readiness, string clusterName, string nodeName)
    {
        readiness.Require($"cluster {clusterName} connected to the root", () => Cluster?.ConnectedToRoot == true);
        readiness.Require($"node {nodeName} joined the cluster", () => Node?.Connected.IsCompletedSuccessfully == true);
        readiness.Require("canopy up to finish starting", () => Started);
    }
}
