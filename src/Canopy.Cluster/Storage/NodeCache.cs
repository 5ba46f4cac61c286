namespace Canopy.Cluster.Storage;

/// <summary>
/// Every node record in memory, kept equal to the <c>nodes</c> table by the store's own writes (made under its write lock, so in
/// the same order as the table's). With thousands of nodes, reading a node's row and its JSON for each message, and every row for
/// each registration, placement and resource report, was the cluster's largest per-message cost; the records are immutable, so
/// readers share them. Not loaded (after a failed write) until the store loads it again under its write lock.
/// </summary>
internal sealed class NodeCache
{
    private readonly Lock _sync = new();
    private Dictionary<string, NodeRecord>? _byId;
    private IReadOnlyList<NodeRecord>? _ordered;

    // Registration order changes only when a node comes or goes; a heartbeat replaces a record in place.
    private string[]? _order;

    public bool IsLoaded
    {
        get
        {
            lock (_sync)
            {
                return _byId is not null;
            }
        }
    }

    public void Load(IEnumerable<NodeRecord> nodes)
    {
        var byId = nodes.ToDictionary(n => n.Id, StringComparer.Ordinal);
        lock (_sync)
        {
            (_byId, _ordered, _order) = (byId, null, null);
        }
    }

    public void Invalidate()
    {
        lock (_sync)
        {
            (_byId, _ordered, _order) = (null, null, null);
        }
    }

    /// <summary>The record of <paramref name="id"/>; <paramref name="found"/> false when the cache is not loaded.</summary>
    public NodeRecord? Get(string id, out bool found)
    {
        lock (_sync)
        {
            found = _byId is not null;
            return _byId?.GetValueOrDefault(id);
        }
    }

    /// <summary>All nodes in registration order (the table's listing order), sorted again only after a change; null when not loaded.</summary>
    public IReadOnlyList<NodeRecord>? List()
    {
        lock (_sync)
        {
            if (_byId is null)
            {
                return null;
            }

            _order ??= _byId.Values.OrderBy(n => n.RegisteredAt).ThenBy(n => n.Id, StringComparer.Ordinal).Select(n => n.Id).ToArray();
            var byId = _byId;
            return _ordered ??= Array.ConvertAll(_order, id => byId[id]);
        }
    }

    public IReadOnlyList<string>? ActiveIds()
    {
        lock (_sync)
        {
            return _byId?.Values.Where(n => n.Active).Select(n => n.Id).ToList();
        }
    }

    /// <summary>Callers hold the store's write lock, as for every change below.</summary>
    public void Put(NodeRecord node)
    {
        lock (_sync)
        {
            if (_byId is not null)
            {
                if (!_byId.TryGetValue(node.Id, out var before) || before.RegisteredAt != node.RegisteredAt)
                {
                    _order = null;
                }

                _byId[node.Id] = node;
                _ordered = null;
            }
        }
    }

    /// <summary>Replaces the record of <paramref name="id"/>, if there is one, by <paramref name="change"/> of it (null: unchanged).</summary>
    public void Update(string id, Func<NodeRecord, NodeRecord?> change)
    {
        lock (_sync)
        {
            if (_byId is not null && _byId.TryGetValue(id, out var node) && change(node) is { } changed)
            {
                _byId[id] = changed;
                _ordered = null;
                if (changed.RegisteredAt != node.RegisteredAt)
                {
                    _order = null;
                }

            }
        }
    }

    public void Remove(string id)
    {
        lock (_sync)
        {
            if (_byId is not null && _byId.Remove(id))
            {
                (_ordered, _order) = (null, null);
            }
        }
    }
}
