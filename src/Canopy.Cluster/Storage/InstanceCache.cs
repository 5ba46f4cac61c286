namespace Canopy.Cluster.Storage;

/// <summary>
/// Every instance record in memory, kept equal to the <c>instances</c> table by the store's own writes (under its write lock, as
/// <see cref="NodeCache"/>). Each placement reads every instance (the nodes' reservations); scaling a service to 1,000 read the
/// table 1,000 times. Records are immutable; the listing (by service id, then instance number, as the table's) is rebuilt only
/// after a change. Not loaded (after a failed write) until the store loads it again under its write lock.
/// </summary>
internal sealed class InstanceCache
{
    private static readonly IComparer<(string ServiceId, int Number)> Order =
        Comparer<(string ServiceId, int Number)>.Create((a, b) =>
            string.CompareOrdinal(a.ServiceId, b.ServiceId) is var byService and not 0 ? byService : a.Number.CompareTo(b.Number));

    private readonly Lock _sync = new();
    private SortedDictionary<(string ServiceId, int Number), InstanceRecord>? _byKey;
    private IReadOnlyList<InstanceRecord>? _ordered;

    public bool IsLoaded
    {
        get
        {
            lock (_sync)
            {
                return _byKey is not null;
            }
        }
    }

    public void Load(IEnumerable<InstanceRecord> instances)
    {
        var byKey = new SortedDictionary<(string ServiceId, int Number), InstanceRecord>(Order);
        foreach (var instance in instances)
        {
            byKey[(instance.ServiceId, instance.InstanceNumber)] = instance;
        }

        lock (_sync)
        {
            (_byKey, _ordered) = (byKey, null);
        }
    }

    public void Invalidate()
    {
        lock (_sync)
        {
            (_byKey, _ordered) = (null, null);
        }
    }

    /// <summary>All instances in the table's order; null when not loaded.</summary>
    public IReadOnlyList<InstanceRecord>? List()
    {
        lock (_sync)
        {
            return _byKey is null ? null : _ordered ??= _byKey.Values.ToArray();
        }
    }

    /// <summary>False when not loaded; otherwise whether the instance is there, and its record.</summary>
    public bool TryGet(string serviceId, int number, out InstanceRecord? instance)
    {
        lock (_sync)
        {
            instance = null;
            if (_byKey is null)
            {
                return false;
            }

            instance = _byKey.GetValueOrDefault((serviceId, number));
            return true;
        }
    }

    /// <summary>Callers hold the store's write lock, as for <see cref="Remove"/>.</summary>
    public void Put(InstanceRecord instance)
    {
        lock (_sync)
        {
            if (_byKey is not null)
            {
                _byKey[(instance.ServiceId, instance.InstanceNumber)] = instance;
                _ordered = null;
            }
        }
    }

    public void Remove(string serviceId, int number)
    {
        lock (_sync)
        {
            if (_byKey is not null && _byKey.Remove((serviceId, number)))
            {
                _ordered = null;
            }
        }
    }
}
