using System.Collections.Concurrent;
using Canopy.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// How often one node may register: a token bucket per node id (or per host name for a node without one yet), checked before the
/// registration queues for the <see cref="Instances.ClusterGate"/>. A node engine registers when it starts and when its session
/// ends; one in a loop (broken or hostile) gets 429 for its excess and cannot hold the gate, the store and the net tables against
/// the other nodes. One warning per node every <see cref="WarnEvery"/>, not one per refused request.
/// </summary>
internal sealed partial class NodeRegistrationRates(TimeProvider time, ILogger<NodeRegistrationRates> logger)
{
    /// <summary>Registrations one node may make at once (a flapping link) before the average applies.</summary>
    public const int Burst = 10;

    /// <summary>On average one registration per this much time and node, beyond the burst.</summary>
    public static readonly TimeSpan Refill = TimeSpan.FromSeconds(6);

    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(30);

    /// <summary>Buckets kept at most; full (idle) ones are dropped beyond it, so that made-up host names cannot fill the memory.</summary>
    private const int MaxBuckets = 20_000;

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private long _refused;

    /// <summary>Registrations refused so far, for tests and diagnostics.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Throws a 429 problem when <paramref name="id"/> (or <paramref name="host"/> without an id) registers too often.</summary>
    public void Admit(string? id, string? host)
    {
        var key = id is { Length: > 0 } ? "id:" + id : "host:" + (host ?? "");
        if (_buckets.Count >= MaxBuckets)
        {
            Prune();
        }

        var bucket = _buckets.GetOrAdd(key, _ => new Bucket(Burst, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            bucket.Tokens = Math.Min(Burst, bucket.Tokens + time.GetElapsedTime(bucket.Refilled, now) / Refill);
            bucket.Refilled = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return;
            }

            bucket.Refused++;
            Interlocked.Increment(ref _refused);
            if (bucket.Warned is null || time.GetElapsedTime(bucket.Warned.Value, now) >= WarnEvery)
            {
                LogTooOften(logger, id ?? "(none yet)", host ?? "(no host)", Burst, Refill.TotalSeconds, bucket.Refused);
                bucket.Warned = now;
            }
        }

        throw new ApiProblem(429, "Too many requests",
            $"node {id ?? host} registers too often (more than {Burst} at once, then one per {Refill.TotalSeconds:0} s): try again later");
    }

    private void Prune()
    {
        var now = time.GetTimestamp();
        foreach (var (key, bucket) in _buckets)
        {
            lock (bucket)
            {
                if (bucket.Tokens + time.GetElapsedTime(bucket.Refilled, now) / Refill >= Burst)
                {
                    _buckets.TryRemove(key, out _);
                }
            }
        }
    }

    [LoggerMessage(EventId = EventIds.NodeRegistersTooOften, Level = LogLevel.Warning,
        Message = "Node {NodeId} (host {Host}) registers more than {Burst} times at once, then once per {Seconds} s: refusing its excess ({Refused} so far)")]
    private static partial void LogTooOften(ILogger logger, string nodeId, string host, int burst, double seconds, long refused);

    private sealed class Bucket(double tokens, long refilled)
    {
        public double Tokens { get; set; } = tokens;
        public long Refilled { get; set; } = refilled;
        public long? Warned { get; set; }
        public long Refused { get; set; }
    }
}
