using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Deployments;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Networking;

/// <summary>
/// Passes cross-cluster routes between clusters: keeps each cluster's overlay endpoints (<c>net_nodes</c>), and after a change
/// (debounced, so a burst of reports makes one pass) computes every connected cluster's <see cref="RootNetTable"/> and sends it
/// when it differs from the last one that cluster got, and always after its hello. Each table is whole: a cluster that missed
/// one is set right by the next.
/// </summary>
internal sealed partial class NetTableRelay(IRootStore store, LinkHub hub, TimeProvider time, ILogger<NetTableRelay> log) : BackgroundService
{
    /// <summary>Long enough to gather a burst of reports (a hello, a scale), short against the 1 s a route change may take.</summary>
    public static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(30);

    // Kept while a cluster's link is down: its nodes may still run and serve.
    private readonly ConcurrentDictionary<string, ClusterNetNodes> _netNodes = new();
    private readonly ConcurrentDictionary<string, string> _lastSent = new();
    private readonly ConcurrentDictionary<string, bool> _mustSend = new();
    private readonly ServiceSpecCache _specs = new();
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Something the tables are made of may have changed: instances, services, links.</summary>
    public void Changed() => _wake.Writer.TryWrite(true);

    /// <summary>A cluster's <c>net_nodes</c>: it replaces what the cluster said before.</summary>
    public void NetNodesReceived(string clusterId, ClusterNetNodes nodes)
    {
        _netNodes[clusterId] = nodes;
        Changed();
    }

    /// <summary>After a hello the cluster gets its table whatever it got before (it may have restarted and lost it).</summary>
    public void HelloReceived(string clusterId)
    {
        _mustSend[clusterId] = true;
        Changed();
    }

    public void Disconnected(string clusterId)
    {
        _lastSent.TryRemove(clusterId, out _);
        Changed();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _wake.Reader.WaitToReadAsync(stoppingToken))
            {
                await Task.Delay(Debounce, time, stoppingToken);
                _wake.Reader.TryRead(out _);
                try
                {
                    await SendAsync(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The next change tries again; a hello always does.
                    PassFailed(e);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    private async Task SendAsync(CancellationToken ct)
    {
        var clusters = (await store.ListClustersAsync(ct)).Where(c => hub.IsConnected(c.Id)).ToList();
        if (clusters.Count == 0)
        {
            return;
        }

        var services = (await store.ListServicesAsync(null, ct)).Where(s => !s.Deleting).Select(_specs.Of).ToList();
        _specs.KeepOnly(services);
        var deployment = new RootNetTables.Deployment(services, await store.ListInstancesAsync(null, ct), new Dictionary<string, ClusterNetNodes>(_netNodes));
        foreach (var cluster in clusters)
        {
            var forced = _mustSend.TryRemove(cluster.Id, out _);
            var table = deployment.TableFor(cluster.Id);
            var text = JsonSerializer.Serialize(table, CanopyJson.Options);
            if (!forced && _lastSent.TryGetValue(cluster.Id, out var last) && last == text)
            {
                continue;
            }

            if (hub.TrySend(cluster.Id, LinkMessageTypes.NetTable, table))
            {
                _lastSent[cluster.Id] = text;
                TableSent(cluster.Name, table.Services.Count, table.Services.Sum(s => s.Instances.Count), table.Peers.Count);
            }
            else if (forced)
            {
                _mustSend[cluster.Id] = true;
            }
        }
    }

    [LoggerMessage(EventId = 1451, Level = LogLevel.Debug,
        Message = "Net table sent to cluster {Cluster}: {Services} services, {Instances} instances elsewhere, {Peers} peers")]
    private partial void TableSent(string cluster, int services, int instances, int peers);

    [LoggerMessage(EventId = 1452, Level = LogLevel.Error, Message = "Computing or sending the clusters' net tables failed; the next change tries again")]
    private partial void PassFailed(Exception e);
}
