using System.Collections.Concurrent;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;

namespace Canopy.Root.Monitoring;

/// <summary>
/// The last lines of each instance's output, for the <c>logs</c> field of Oakestra's instance entries. Oakestra's nodes send
/// them with every metrics report; Canopy's do not (that traffic is paid whether anyone looks or not), so the root asks the
/// node, through its cluster, when a service is read (the answer shows from the next read on), and keeps it <see cref="Fresh"/> long.
/// </summary>
internal sealed class InstanceLogTails(LinkHub hub, TimeProvider time, IHostApplicationLifetime lifetime)
{
    public const int Lines = 20;

    /// <summary>A tail younger than this is not asked for again.</summary>
    public static readonly TimeSpan Fresh = TimeSpan.FromSeconds(10);

    /// <summary>A tail not fetched again for this long belongs to an instance nobody reads (or that is gone); it is dropped.</summary>
    private static readonly TimeSpan Forget = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<(string ServiceId, int Number), (DateTimeOffset At, string Text)> _tails = new();
    private readonly ConcurrentDictionary<(string ServiceId, int Number), Task> _fetching = new();
    private DateTimeOffset _lastSweep;

    /// <summary>The last tail fetched, empty when none was.</summary>
    public string Of(string serviceId, int instanceNumber) =>
        _tails.TryGetValue((serviceId, instanceNumber), out var tail) ? tail.Text : "";

    /// <summary>
    /// Asks for the tails of up to <paramref name="limit"/> of <paramref name="instances"/> that run on a node of a connected
    /// cluster and are not fresh; the answers land here for the next read. A tail being fetched is not asked for again.
    /// </summary>
    public void Refresh(IEnumerable<(InstanceRecord Instance, string? ClusterName)> instances, int limit)
    {
        var now = time.GetUtcNow();
        Sweep(now);
        foreach (var (instance, clusterName) in instances
                     .Where(x => x.Instance is { ClusterId: { } cluster, NodeId: not null, Deleting: false } && hub.IsConnected(cluster) && IsStale(x.Instance, now))
                     .Take(limit))
        {
            // Runs apart from the request that starts it, which never waits for a node.
            var fetch = new Task<Task>(() => FetchAsync(instance, clusterName));
            if (_fetching.TryAdd(Key(instance), fetch))
            {
                fetch.Start(TaskScheduler.Default);
            }
        }
    }

    private void Sweep(DateTimeOffset now)
    {
        if (now - _lastSweep < Forget)
        {
            return;
        }

        _lastSweep = now;
        foreach (var (key, tail) in _tails)
        {
            if (now - tail.At > Forget)
            {
                _tails.TryRemove(key, out _);
            }
        }
    }

    private bool IsStale(InstanceRecord instance, DateTimeOffset now) =>
        !_tails.TryGetValue(Key(instance), out var tail) || now - tail.At >= Fresh;

    private async Task FetchAsync(InstanceRecord instance, string? clusterName)
    {
        var key = Key(instance);
        try
        {
            var logs = await InstanceLogFetch.FetchAsync(hub, instance, clusterName, Lines, lifetime.ApplicationStopping);

            // A failed fetch keeps the last tail, and is not retried before the tail would be stale anyway.
            _tails[key] = (time.GetUtcNow(), logs.Error is null ? logs.Text : Of(instance.ServiceId, instance.InstanceNumber));
        }
        catch (OperationCanceledException)
        {
            // The root is stopping.
        }
        finally
        {
            _fetching.TryRemove(key, out _);
        }
    }

    private static (string, int) Key(InstanceRecord instance) => (instance.ServiceId, instance.InstanceNumber);
}
