using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Net;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.Root.Store;

namespace Canopy.Root.Networking;

/// <summary>
/// What the root tells one cluster about the rest of the deployment: the services of every application that has an instance
/// on the cluster (in any state, so that a starting instance finds its peers' routes), each with only the RUNNING instances
/// of other clusters (the cluster adds its own), and the overlay endpoints of the nodes that host them.
/// </summary>
internal static class RootNetTables
{
    /// <param name="clusterId">The cluster the table is for.</param>
    /// <param name="services">Every service that is not being deleted.</param>
    /// <param name="instances">Every instance; those being removed count for nothing.</param>
    /// <param name="netNodes">The last <c>net_nodes</c> of each cluster, by cluster id.</param>
    public static RootNetTable For(
        string clusterId, IReadOnlyList<ServiceSpec> services, IReadOnlyList<InstanceRecord> instances,
        IReadOnlyDictionary<string, ClusterNetNodes> netNodes) => new Deployment(services, instances, netNodes).TableFor(clusterId);

    /// <summary>
    /// The deployment indexed once for the tables of every cluster: a relay pass makes one table per connected cluster, and
    /// scanning every service and instance for each of a hundred clusters made the pass cost clusters × (services + instances).
    /// </summary>
    internal sealed class Deployment
    {
        private readonly IReadOnlyDictionary<string, ClusterNetNodes> _netNodes;
        private readonly Dictionary<string, ServiceSpec> _byId;
        private readonly ILookup<(string, string), ServiceSpec> _servicesByApplication;
        private readonly ILookup<string, InstanceRecord> _liveByCluster;
        private readonly ILookup<string, InstanceRecord> _runningByService;
        private readonly ILookup<(string, string), InstanceRecord> _placedByApplication;

        public Deployment(IReadOnlyList<ServiceSpec> services, IReadOnlyList<InstanceRecord> instances, IReadOnlyDictionary<string, ClusterNetNodes> netNodes)
        {
            _netNodes = netNodes;
            _byId = services.ToDictionary(s => s.ServiceId);
            _servicesByApplication = services.ToLookup(Application);
            var live = instances.Where(i => !i.Deleting && i.ClusterId is not null).ToList();
            _liveByCluster = live.ToLookup(i => i.ClusterId!);
            _runningByService = live.Where(i => i.Status == InstanceStatus.Running && i.NodeId is not null).ToLookup(i => i.ServiceId);
            _placedByApplication = live.Where(i => i.NodeId is not null && _byId.ContainsKey(i.ServiceId)).ToLookup(i => Application(_byId[i.ServiceId]));
        }

        public RootNetTable TableFor(string clusterId)
        {
            var interest = _liveByCluster[clusterId]
                .Where(i => _byId.ContainsKey(i.ServiceId))
                .Select(i => Application(_byId[i.ServiceId]))
                .ToHashSet();

            var peers = new Dictionary<(string, string), NetPeer>();
            var table = new List<NetService>();
            foreach (var service in interest.SelectMany(a => _servicesByApplication[a]).OrderBy(s => s.ServiceId, StringComparer.Ordinal))
            {
                var entries = new List<NetInstance>();
                foreach (var instance in _runningByService[service.ServiceId].Where(i => i.ClusterId != clusterId).OrderBy(i => i.InstanceNumber))
                {
                    var peer = PeerOf(_netNodes, instance.ClusterId!, instance.NodeId!);

                    // A container's address lies in its node's subnet, which only the node's overlay entry makes reachable; an exec
                    // instance listens on its node's own address.
                    if (peer is null && service.Virtualization == Virtualizations.Container)
                    {
                        continue;
                    }

                    var entry = NetInstances.Entry(service.Virtualization, service.Port, instance.InstanceNumber, instance.NodeId!, instance.InstanceIp, instance.HostIp);
                    if (entry is null)
                    {
                        continue;
                    }

                    entries.Add(entry);
                    if (peer is not null)
                    {
                        peers[(instance.ClusterId!, peer.NodeId)] = peer;
                    }
                }

                table.Add(new NetService
                {
                    ServiceId = service.ServiceId,
                    AppName = service.AppName,
                    AppNs = service.AppNs,
                    ServiceName = service.ServiceName,
                    ServiceNs = service.ServiceNs,
                    JobName = service.JobName,
                    RrIp = service.RrIp,
                    ClosestIp = service.ClosestIp,
                    Instances = entries,
                });
            }

            // The nodes of the other clusters' instances that have no routable entry (a client without ports, one still starting)
            // are peers too: their connections to this cluster's instances need the replies routed back.
            foreach (var instance in interest.SelectMany(a => _placedByApplication[a]).Where(i => i.ClusterId != clusterId))
            {
                if (PeerOf(_netNodes, instance.ClusterId!, instance.NodeId!) is { } peer)
                {
                    peers[(instance.ClusterId!, peer.NodeId)] = peer;
                }
            }

            var ordered = peers.OrderBy(p => p.Key.Item2, StringComparer.Ordinal).ThenBy(p => p.Key.Item1, StringComparer.Ordinal).Select(p => p.Value);
            return new RootNetTable(table, ordered.ToList());
        }
    }

    private static (string AppName, string AppNs) Application(ServiceSpec service) => (service.AppName, service.AppNs);

    /// <summary>The node's overlay endpoint from its own cluster's report, marked with that cluster whatever the report said.</summary>
    private static NetPeer? PeerOf(IReadOnlyDictionary<string, ClusterNetNodes> netNodes, string clusterId, string nodeId) =>
        netNodes.TryGetValue(clusterId, out var nodes) && nodes.Nodes.FirstOrDefault(n => n.NodeId == nodeId) is { } peer
            ? peer with { ClusterId = clusterId }
            : null;
}
