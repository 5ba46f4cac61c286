using System.Collections.Concurrent;
using Canopy.Contracts.Mqtt;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// How many messages each node may publish: a token bucket per node id, checked when a message arrives and before it
/// is queued, so a node that floods (broken or hostile) loses its own excess messages and cannot delay the other
/// nodes' messages behind its own or fill the cluster's memory. Far above what a healthy node sends (an information
/// every 2 s, a report per instance change).
/// </summary>
internal sealed partial class NodeMessageRates(ClusterOptions options, TimeProvider time, ILogger<NodeMessageRates> logger)
{
    private static readonly TimeSpan WarnEvery = TimeSpan.FromSeconds(10);

    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);

    /// <summary>Messages dropped so far, for tests and diagnostics.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    private long _dropped;

    /// <summary>True when the message may be handled; false when its node is over its rate (the message is dropped).</summary>
    public bool Admit(string topic)
    {
        if (!NodeTopics.TryParse(topic, out var nodeId, out _))
        {
            return true;
        }

        var bucket = _buckets.GetOrAdd(nodeId, _ => new Bucket(options.NodeMessageBurst, time.GetTimestamp()));
        lock (bucket)
        {
            var now = time.GetTimestamp();
            bucket.Tokens = Math.Min(options.NodeMessageBurst, bucket.Tokens + time.GetElapsedTime(bucket.Refilled, now).TotalSeconds * options.NodeMessagesPerSecond);
            bucket.Refilled = now;
            if (bucket.Tokens >= 1)
            {
                bucket.Tokens -= 1;
                return true;
            }

            bucket.Dropped++;
            Interlocked.Increment(ref _dropped);
            if (bucket.Warned is null || time.GetElapsedTime(bucket.Warned.Value, now) >= WarnEvery)
            {
                LogFlooding(logger, nodeId, options.NodeMessagesPerSecond, bucket.Dropped);
                bucket.Warned = now;
            }

            return false;
        }
    }

    [LoggerMessage(EventId = EventIds.NodeFlooding, Level = LogLevel.Warning,
        Message = "Node {NodeId} publishes more than {PerSecond} messages per second: dropping its excess ({Dropped} so far)")]
    private static partial void LogFlooding(ILogger logger, string nodeId, int perSecond, long dropped);

    private sealed class Bucket(double tokens, long refilled)
    {
        public double Tokens { get; set; } = tokens;
        public long Refilled { get; set; } = refilled;
        public long? Warned { get; set; }
        public long Dropped { get; set; }
    }
}
