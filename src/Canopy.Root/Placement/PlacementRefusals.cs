using System.Collections.Concurrent;

namespace Canopy.Root.Placement;

/// <summary>
/// Clusters that recently handed an instance back (no worker of theirs could take it). The root scheduler tries the other
/// clusters first; when none of them can take it either, a refusing cluster is still better than none.
/// </summary>
internal sealed class PlacementRefusals(TimeProvider time)
{
    public static readonly TimeSpan Memory = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<(string ServiceId, int Number, string ClusterId), DateTimeOffset> _refusals = new();

    public void Add(string serviceId, int instanceNumber, string clusterId) =>
        _refusals[(serviceId, instanceNumber, clusterId)] = time.GetUtcNow();

    public IReadOnlySet<string> Recent(string serviceId, int instanceNumber)
    {
        var now = time.GetUtcNow();
        var recent = new HashSet<string>();
        foreach (var (key, at) in _refusals)
        {
            if (now - at >= Memory)
            {
                _refusals.TryRemove(key, out _);
            }
            else if (key.ServiceId == serviceId && key.Number == instanceNumber)
            {
                recent.Add(key.ClusterId);
            }
        }

        return recent;
    }
}
