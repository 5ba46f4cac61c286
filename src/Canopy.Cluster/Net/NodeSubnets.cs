using System.Collections.Concurrent;
using Canopy.Cluster.RootLink;
using Canopy.Cluster.Storage;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;
using Canopy.Core.Addressing;
using Canopy.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Net;

/// <summary>
/// The /26 of each node, from the blocks the root gave this cluster (one address plan for every cluster: no two nodes anywhere
/// share a subnet). Full blocks make the cluster ask the root for another; the node is told to come back (503) and does by
/// itself. A cluster without blocks waits for its root's first answer (503 to the node meanwhile, at most
/// <see cref="ClusterOptions.SubnetWaitForRoot"/>); with a root of an older build (which gives none) or an unreachable one, it
/// allocates from the whole range as before.
/// Callers hold the <see cref="Instances.ClusterGate"/>.
/// </summary>
internal sealed partial class NodeSubnets(IClusterStore store, RootOutbox root, TimeProvider time, ClusterOptions options, ILogger<NodeSubnets> logger)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();
    /// <summary>Nodes retrying their registration ask again at most this often; the root answers each with all blocks anyway.</summary>
    private static readonly TimeSpan RequestSpacing = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Each node subnet parsed once (subnet to network address): an allocation looks at every node's subnet, and parsing them all
    /// again per registration was a quarter of the cluster's CPU while thousands of nodes joined, under the gate.
    /// </summary>
    private readonly ConcurrentDictionary<string, uint?> _networks = new(StringComparer.Ordinal);

    private DateTimeOffset _requested = DateTimeOffset.MinValue;
    private volatile bool _rootAnswered;
    private int _requestedWithBlocks = -1;

    /// <summary>A /26 no node of this cluster has, inside its blocks, avoiding what is routed on the node's own machine.</summary>
    public async Task<string> AllocateAsync(NodeRegisterRequest request, CancellationToken ct)
    {
        var nodes = await store.ListNodesAsync(ct);
        var taken = new HashSet<uint>(nodes.Count);
        foreach (var node in nodes)
        {
            if (node.Subnet is { } given && _networks.GetOrAdd(given, SubnetPool.NetworkOf) is { } network)
            {
                taken.Add(network);
            }
        }

        var blocks = await store.ListSubnetBlocksAsync(ct);
        if (blocks.Count == 0)
        {
            if (!_rootAnswered && time.GetUtcNow() - _started < options.SubnetWaitForRoot)
            {
                // A subnet taken from the whole range now could be one the root gives another cluster's block: wait for the root.
                throw ApiProblem.Unavailable(
                    "this cluster has not registered with its root yet, which gives the cluster its node subnets; the node registers again by itself");
            }

            Log.WithoutBlocks(logger, request.Host);
            return SubnetPool.Allocate(taken, request.SubnetsInUse) ??
                   throw ApiProblem.Unavailable($"no free node subnet is left in {SubnetPlan.NodeRange}");
        }

        if (SubnetPool.Allocate(taken, request.SubnetsInUse, blocks) is { } subnet)
        {
            return subnet;
        }

        AskForBlock(blocks, taken.Count);
        throw ApiProblem.Unavailable(
            $"every node subnet of this cluster's blocks ({string.Join(", ", blocks)}) is taken or routed on node {request.Host}'s machine; " +
            "the cluster asked the root for another block, and the node registers again by itself");
    }

    /// <summary>The root answered a registration of this cluster (with blocks, or without them: a root of an older build).</summary>
    public void RootAnswered() => _rootAnswered = true;

    /// <summary>True when the cluster has blocks and <paramref name="subnet"/> is in none of them (the root's plan moved on).</summary>
    public async Task<bool> IsOutsideBlocksAsync(string subnet, CancellationToken ct)
    {
        var blocks = await store.ListSubnetBlocksAsync(ct);
        return blocks.Count > 0 && !SubnetPlan.IsInside(subnet, blocks);
    }

    /// <summary>
    /// The root's blocks (all of them, from the registration answer or <c>subnet_blocks</c>): kept in the store. A block outside
    /// the node range or not a /<see cref="SubnetPlan.BlockPrefix"/> is left out with a warning: it would break the plan.
    /// </summary>
    public async Task SetBlocksAsync(IReadOnlyList<string> blocks, CancellationToken ct)
    {
        var valid = new List<string>();
        foreach (var block in blocks)
        {
            // Inside the node range exactly when a subnet can be given from it.
            if (Ipv4Network.TryParse(block, out var network) && network.Prefix == SubnetPlan.BlockPrefix &&
                SubnetPool.Allocate(new HashSet<string>(), null, [block]) is not null)
            {
                valid.Add(network.ToString());
            }
            else
            {
                Log.BlockRefused(logger, block, SubnetPlan.BlockPrefix, SubnetPlan.NodeRange);
            }
        }

        var before = await store.ListSubnetBlocksAsync(ct);
        if (!before.SequenceEqual(valid))
        {
            await store.SetSubnetBlocksAsync(valid, ct);
            Log.BlocksReceived(logger, valid.Count == 0 ? "(none)" : string.Join(", ", valid));
        }
    }

    private void AskForBlock(IReadOnlyList<string> blocks, int taken)
    {
        var now = time.GetUtcNow();
        if (_requestedWithBlocks == blocks.Count && now - _requested < RequestSpacing)
        {
            return;
        }

        (_requested, _requestedWithBlocks) = (now, blocks.Count);
        Log.BlocksFull(logger, string.Join(", ", blocks), taken);
        root.SubnetBlocksRequest(new SubnetBlocksRequest(taken));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.SubnetWithoutBlocks, Level = LogLevel.Information,
            Message = "Node {Host} gets a subnet from the whole node range: the root gave this cluster no subnet blocks (a root of an older build, or none reachable)")]
        public static partial void WithoutBlocks(ILogger logger, string host);

        [LoggerMessage(EventId = EventIds.SubnetBlocksFull, Level = LogLevel.Warning,
            Message = "Every node subnet of the blocks {Blocks} is taken ({Taken} nodes); asked the root for another block")]
        public static partial void BlocksFull(ILogger logger, string blocks, int taken);

        [LoggerMessage(EventId = EventIds.SubnetBlocksReceived, Level = LogLevel.Information, Message = "Node subnet blocks from the root: {Blocks}")]
        public static partial void BlocksReceived(ILogger logger, string blocks);

        [LoggerMessage(EventId = EventIds.SubnetBlockRefused, Level = LogLevel.Warning,
            Message = "Ignored node subnet block '{Block}' from the root: a block is a /{Prefix} of {Range}")]
        public static partial void BlockRefused(ILogger logger, string block, int prefix, string range);
    }
}
