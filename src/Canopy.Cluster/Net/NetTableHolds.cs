using Canopy.Cluster.Storage;

namespace Canopy.Cluster.Net;

/// <summary>
/// Which nodes' net tables the <see cref="NetTablePublisher"/> leaves as they are for now. A node engine that restarts, or whose
/// link drops for a moment, keeps running its instances; the cluster meanwhile counts them lost and the node's interest in their
/// services with them. Publishing that interest-less table would withdraw the routes to instances that still serve:
/// <list type="bullet">
/// <item>While a node is inactive its retained table stays the one it last had (it cannot act on a newer one before it is back).</item>
/// <item>A node that comes back gets a new table only once its first inventory is reconciled (adopted instances, or deletes for
/// what runs elsewhere now), or after <see cref="InventoryWait"/> if no inventory comes.</item>
/// </list>
/// </summary>
internal sealed class NetTableHolds(NetChanges changes, TimeProvider time)
{
    /// <summary>A node sends its inventory right after its information at every connect: this is only a fallback.</summary>
    public static readonly TimeSpan InventoryWait = TimeSpan.FromSeconds(5);

    private readonly Lock _lock = new();
    private readonly HashSet<string> _offline = [];
    private readonly Dictionary<string, DateTimeOffset> _returning = [];
    private readonly HashSet<string> _reconciled = [];

    /// <summary>
    /// From the nodes as stored now (read under the cluster gate): the ids whose tables are held, and when the earliest hold of a
    /// returning node runs out (null when none waits).
    /// </summary>
    public (IReadOnlySet<string> Held, DateTimeOffset? WakeAt) Update(IReadOnlyList<NodeRecord> nodes)
    {
        var now = time.GetUtcNow();
        var held = new HashSet<string>(StringComparer.Ordinal);
        DateTimeOffset? wakeAt = null;
        lock (_lock)
        {
            foreach (var node in nodes)
            {
                if (!node.Active)
                {
                    _offline.Add(node.Id);
                    _returning.Remove(node.Id);
                    _reconciled.Remove(node.Id);
                    held.Add(node.Id);
                    continue;
                }

                if (_offline.Remove(node.Id))
                {
                    _returning[node.Id] = now;
                }

                if (!_returning.TryGetValue(node.Id, out var since))
                {
                    continue;
                }

                if (_reconciled.Remove(node.Id) || now - since >= InventoryWait)
                {
                    _returning.Remove(node.Id);
                    continue;
                }

                held.Add(node.Id);
                var until = since + InventoryWait;
                wakeAt = wakeAt is { } earlier && earlier < until ? earlier : until;
            }

            var present = nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
            _offline.RemoveWhere(id => !present.Contains(id));
            _reconciled.RemoveWhere(id => !present.Contains(id));
            foreach (var gone in _returning.Keys.Where(id => !present.Contains(id)).ToList())
            {
                _returning.Remove(gone);
            }
        }

        return (held, wakeAt);
    }

    /// <summary>An active node's inventory was reconciled (callers hold the cluster gate): a table held for it may go out now.</summary>
    public void InventoryReconciled(string nodeId)
    {
        bool wake;
        lock (_lock)
        {
            wake = _offline.Contains(nodeId) || _returning.ContainsKey(nodeId);
            if (wake)
            {
                _reconciled.Add(nodeId);
            }
        }

        if (wake)
        {
            changes.Changed();
        }
    }
}
