using System.Collections.Concurrent;
using Canopy.Core.Addressing;
using Canopy.Root.Store;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.ClusterLinks;

/// <summary>
/// The node subnet blocks of each cluster (see <see cref="SubnetPlan"/>): one at its first registration, another whenever it
/// says its blocks are full. A block stays its cluster's for good, so no two nodes anywhere share a subnet.
/// </summary>
internal sealed partial class ClusterSubnetBlocks(IRootStore store, TimeProvider time, ILogger<ClusterSubnetBlocks> log)
{
    /// <summary>
    /// A request this soon after the last grant is taken for a repeat (sent again before the cluster saw the answer, or by a
    /// cluster that keeps failing): it gets the unchanged list.
    /// </summary>
    public static readonly TimeSpan RepeatGuard = TimeSpan.FromSeconds(5);

    // When each cluster's last request was granted a block (the grant at registration does not count: a new cluster's nodes
    // may fill its first block at once).
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastRequestGrant = new();

    /// <summary>At registration: the cluster's blocks, one granted first when it has none (new, or registered before blocks existed).</summary>
    public async Task<IReadOnlyList<string>> EnsureAsync(ClusterRecord cluster, CancellationToken ct)
    {
        var grant = await store.GrantSubnetBlockAsync(cluster.Id, count => count == 0, time.GetUtcNow(), ct);
        Report(cluster.Name, grant);
        return grant.Blocks;
    }

    /// <summary>A <c>subnet_blocks_request</c>: one block more, unless the last one was granted within <see cref="RepeatGuard"/>.</summary>
    public async Task<IReadOnlyList<string>> OnRequestAsync(string clusterId, string clusterName, int taken, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var grant = await store.GrantSubnetBlockAsync(clusterId,
            _ => !_lastRequestGrant.TryGetValue(clusterId, out var at) || now - at >= RepeatGuard, now, ct);
        if (grant.Added is not null)
        {
            _lastRequestGrant[clusterId] = now;
        }
        else if (!grant.Exhausted)
        {
            RequestRepeated(clusterName, taken, grant.Blocks.Count, RepeatGuard.TotalSeconds);
        }

        Report(clusterName, grant);
        return grant.Blocks;
    }

    public Task<IReadOnlyList<string>> ListAsync(string clusterId, CancellationToken ct) => store.ListSubnetBlocksAsync(clusterId, ct);

    private void Report(string cluster, SubnetBlockGrant grant)
    {
        if (grant.Added is { } block)
        {
            Granted(cluster, block, grant.Blocks.Count);
        }
        else if (grant.Exhausted)
        {
            Exhausted(cluster, SubnetPlan.NodeRange, grant.Blocks.Count);
        }
    }

    [LoggerMessage(EventId = 1441, Level = LogLevel.Information, Message = "Cluster {Cluster} was granted node subnet block {Block}; it has {Count} now")]
    private partial void Granted(string cluster, string block, int count);

    [LoggerMessage(EventId = 1442, Level = LogLevel.Error,
        Message = "Cluster {Cluster} needs a node subnet block, but every block of {Range} is granted; it keeps its {Count}. " +
                  "Nodes beyond them get no subnet")]
    private partial void Exhausted(string cluster, string range, int count);

    [LoggerMessage(EventId = 1443, Level = LogLevel.Information,
        Message = "Cluster {Cluster} asked for another node subnet block ({Taken} taken) within {Seconds} s of its last grant; " +
                  "taken for a repeat, its {Count} blocks are sent again")]
    private partial void RequestRepeated(string cluster, int taken, int count, double seconds);
}
