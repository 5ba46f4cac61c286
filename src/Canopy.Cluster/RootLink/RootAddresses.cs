namespace Canopy.Cluster.RootLink;

/// <summary>
/// Every address the cluster knows for its root (the replicas of one root on one database): the configured ones
/// (<see cref="ClusterOptions.RootAddresses"/>), those the root named in its registration answer, and leaders named by a
/// follower. One of them is in use; when it fails the cluster moves to the next at once, and a follower's hint jumps straight
/// to the leader. Thread-safe: registration and the link move it from one background loop, the API reads it.
/// </summary>
public sealed class RootAddresses
{
    private readonly Lock _lock = new();
    private readonly List<string> _urls;
    private int _current;

    public RootAddresses(ClusterOptions options)
    {
        _urls = [.. options.RootAddresses()];
        if (_urls.Count == 0)
        {
            _urls.Add(options.RootUrl);
        }
    }

    /// <summary>The address the cluster talks to now.</summary>
    public string Current
    {
        get
        {
            lock (_lock)
            {
                return _urls[_current];
            }
        }
    }

    /// <summary>How many addresses it knows; with one, failover is the single root's reconnect.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _urls.Count;
            }
        }
    }

    public IReadOnlyList<string> All
    {
        get
        {
            lock (_lock)
            {
                return [.. _urls];
            }
        }
    }

    /// <summary>Moves to the next address (after the current one failed); true when that starts a new round through all of them.</summary>
    public bool MoveNext()
    {
        lock (_lock)
        {
            _current = (_current + 1) % _urls.Count;
            return _current == 0;
        }
    }

    /// <summary>
    /// Moves to <paramref name="url"/> (a follower named it as the leader), learning it if new; false when it is not an address
    /// of the same scheme (an https cluster never follows a hint to plain http) or is the one in use.
    /// </summary>
    public bool MoveTo(string url)
    {
        if (Normalize(url) is not { } normal)
        {
            return false;
        }

        lock (_lock)
        {
            if (!SameScheme(normal, _urls[0]))
            {
                return false;
            }

            var index = IndexOf(normal);
            if (index < 0)
            {
                _urls.Add(normal);
                index = _urls.Count - 1;
            }

            if (index == _current)
            {
                return false;
            }

            _current = index;
            return true;
        }
    }

    /// <summary>Adds the replicas the root named (its registration answer, or the list kept from the last one); true when any was new.</summary>
    public bool Learn(IEnumerable<string>? urls)
    {
        var added = false;
        lock (_lock)
        {
            foreach (var url in urls ?? [])
            {
                if (Normalize(url) is { } normal && SameScheme(normal, _urls[0]) && IndexOf(normal) < 0)
                {
                    _urls.Add(normal);
                    added = true;
                }
            }
        }

        return added;
    }

    /// <summary>An absolute http(s) URL without a trailing slash; null for anything else.</summary>
    public static string? Normalize(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.Host.Length > 0
            ? uri.GetLeftPart(UriPartial.Path).TrimEnd('/')
            : null;

    private int IndexOf(string normal) => _urls.FindIndex(u => string.Equals(u, normal, StringComparison.OrdinalIgnoreCase));

    private static bool SameScheme(string a, string b) =>
        string.Equals(new Uri(a).Scheme, new Uri(b).Scheme, StringComparison.OrdinalIgnoreCase);
}
