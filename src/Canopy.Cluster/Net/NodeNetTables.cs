using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Core.States;

namespace Canopy.Cluster.Net;

/// <summary>
/// What each node's net manager must program, from the cluster's state and the root's part of it. A node is interested in every
/// service of every application (AppName + AppNs) with an instance placed on it, in any state: its table has those services
/// with their RUNNING instances that have a routable address (this cluster's and, from the <see cref="RootNetTable"/>, the
/// other clusters'), and as peers every node that hosts an instance of those applications (itself excluded; a node without an
/// overlay cannot be a peer, but its exec instances stay in the table: they are reached on its underlay address).
/// </summary>
internal static class NodeNetTables
{
    /// <summary>A table for every node in <paramref name="nodes"/> (an empty one for a node without instances), Version 0.</summary>
    public static IReadOnlyDictionary<string, NodeNetTable> Build(
        IReadOnlyList<ServiceSpec> services, IReadOnlyList<InstanceRecord> instances, IReadOnlyList<NodeRecord> nodes,
        RootNetTable? root, string? clusterId)
    {
        var specs = services.ToDictionary(s => s.ServiceId);
        var nodesById = nodes.ToDictionary(n => n.Id);
        var byApp = NetServices(specs, instances, nodesById, root)
            .GroupBy(s => (s.AppName, s.AppNs))
            .ToDictionary(g => g.Key, g => g.ToList());
        var peers = nodes.Select(n => Peer(n, clusterId)).OfType<NetPeer>()
            .Concat((root?.Peers ?? []).Where(p => !nodesById.ContainsKey(p.NodeId)))
            .DistinctBy(p => p.NodeId)
            .ToDictionary(p => p.NodeId);

        // One pass over the instances (not one per node: 1,000 nodes with 1,000 instances were a million steps per change): each
        // node's applications, and each application's hosting nodes.
        var appsByNode = new Dictionary<string, HashSet<(string, string)>>();
        var hostsByApp = new Dictionary<(string, string), HashSet<string>>();
        foreach (var instance in instances)
        {
            if (instance.NodeId is { } nodeId && specs.TryGetValue(instance.ServiceId, out var spec))
            {
                var app = (spec.AppName, spec.AppNs);
                (appsByNode.GetValueOrDefault(nodeId) ?? (appsByNode[nodeId] = [])).Add(app);
                (hostsByApp.GetValueOrDefault(app) ?? (hostsByApp[app] = new HashSet<string>(StringComparer.Ordinal))).Add(nodeId);
            }
        }

        var tables = new Dictionary<string, NodeNetTable>();
        foreach (var node in nodes)
        {
            var apps = appsByNode.GetValueOrDefault(node.Id) ?? [];
            var table = apps.SelectMany(app => byApp.GetValueOrDefault(app) ?? []).OrderBy(s => s.ServiceId, StringComparer.Ordinal).ToList();

            // Peers both ways: the nodes this one connects to, and those that connect to it (a client's node, whose instance has
            // no address of its own to route, still needs the replies routed back: every node hosting one of its applications'
            // instances here, and every node the root names for this cluster's applications elsewhere).
            var hosts = apps.SelectMany(app => hostsByApp[app]);
            tables[node.Id] = new NodeNetTable
            {
                Services = table,
                Peers = table.SelectMany(s => s.Instances).Select(i => i.NodeId).Concat(hosts)
                    .Concat(apps.Count > 0 ? (root?.Peers ?? []).Select(p => p.NodeId) : [])
                    .Distinct()
                    .Where(id => id != node.Id)
                    .Select(id => peers.GetValueOrDefault(id)).OfType<NetPeer>()
                    .OrderBy(p => p.NodeId, StringComparer.Ordinal)
                    .ToList(),
            };
        }

        return tables;
    }

    /// <summary>The node as an overlay peer; null when it has no overlay endpoint, address or subnet yet.</summary>
    public static NetPeer? Peer(NodeRecord node, string? clusterId) =>
        node.Overlay is { } overlay && !string.IsNullOrEmpty(node.Ip) && node.Subnet is { } subnet
            ? new NetPeer
            {
                NodeId = node.Id,
                Ip = node.Ip,
                Subnet = subnet,
                VtepMac = overlay.VtepMac,
                OverlayPort = overlay.Port,
                ClusterId = clusterId,
                WgPublicKey = overlay.WgPublicKey,
                WgPort = overlay.WgPort,
            }
            : null;

    /// <summary>What the root passes to other clusters: every active node with an overlay endpoint.</summary>
    public static ClusterNetNodes NetNodes(IReadOnlyList<NodeRecord> nodes, string? clusterId) =>
        new(nodes.Where(n => n.Active).Select(n => Peer(n, clusterId)).OfType<NetPeer>().OrderBy(p => p.NodeId, StringComparer.Ordinal).ToList());

    /// <summary>
    /// Every service the cluster or the root knows, with its routable instances: this cluster's from its records, the others'
    /// from the root (never one the root places on a node of this cluster: this cluster's own records say better).
    /// </summary>
    private static IEnumerable<NetService> NetServices(
        Dictionary<string, ServiceSpec> specs, IReadOnlyList<InstanceRecord> instances, Dictionary<string, NodeRecord> nodes, RootNetTable? root)
    {
        var remote = (root?.Services ?? []).DistinctBy(s => s.ServiceId).ToDictionary(s => s.ServiceId);
        var local = instances
            .Where(i => i.Status == InstanceStatus.Running && specs.ContainsKey(i.ServiceId))
            .Select(i => LocalEntry(specs[i.ServiceId], i, nodes))
            .OfType<(string ServiceId, NetInstance Entry)>()
            .ToLookup(e => e.ServiceId, e => e.Entry);

        foreach (var spec in specs.Values)
        {
            var others = remote.GetValueOrDefault(spec.ServiceId)?.Instances ?? [];
            yield return new NetService
            {
                ServiceId = spec.ServiceId,
                AppName = spec.AppName,
                AppNs = spec.AppNs,
                ServiceName = spec.ServiceName,
                ServiceNs = spec.ServiceNs,
                JobName = spec.JobName,
                RrIp = spec.RrIp,
                ClosestIp = spec.ClosestIp,
                Instances = Sorted(local[spec.ServiceId].Concat(others.Where(i => !nodes.ContainsKey(i.NodeId)))),
            };
        }

        foreach (var service in remote.Values.Where(s => !specs.ContainsKey(s.ServiceId)))
        {
            yield return service with { Instances = Sorted(service.Instances.Where(i => !nodes.ContainsKey(i.NodeId))) };
        }
    }

    private static (string, NetInstance)? LocalEntry(ServiceSpec spec, InstanceRecord instance, Dictionary<string, NodeRecord> nodes)
    {
        if (instance.NodeId is null || !nodes.TryGetValue(instance.NodeId, out var node) ||
            InstanceAddresses.Unrouted(spec.Virtualization, instance.InstanceIp, node.Host, node.Subnet) is not null)
        {
            return null;
        }

        return NetInstances.Entry(spec.Virtualization, spec.Port, instance.InstanceNumber, node.Id, instance.InstanceIp, node.Ip) is { } entry
            ? (spec.ServiceId, entry)
            : null;
    }

    private static List<NetInstance> Sorted(IEnumerable<NetInstance> instances) =>
        instances.OrderBy(i => i.InstanceNumber).ThenBy(i => i.NodeId, StringComparer.Ordinal).ToList();
}
