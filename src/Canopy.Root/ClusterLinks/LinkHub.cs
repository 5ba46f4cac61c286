using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Canopy.Contracts.Link;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.ClusterLinks;

/// <summary>
/// The live links, one per cluster (a newer link replaces the older one), and the questions waiting for an answer.
/// A cluster without a link is inactive at once, whatever its last heartbeat.
/// </summary>
internal sealed partial class LinkHub(RootOptions options, RootLeadership leadership, TimeProvider time, ILogger<LinkHub> log)
{
    private readonly ConcurrentDictionary<string, ClusterConnection> _links = new();
    private readonly ConcurrentDictionary<string, (string ClusterId, TaskCompletionSource<LinkResponse> Answer)> _pending = new();

    // When each cluster's link last came or went; a cluster never linked since the root started counts from the start.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _linkChanged = new();
    private DateTimeOffset _started = time.GetUtcNow();

    public bool IsConnected(string clusterId) => _links.ContainsKey(clusterId);

    public TimeSpan? ClockSkew(string clusterId) => _links.TryGetValue(clusterId, out var link) ? link.ClockSkew : null;

    /// <summary>
    /// Connected, and its last <c>resources</c> heartbeat is recent. A follower holds no link: there the heartbeat the leader stored
    /// is all there is to go by.
    /// </summary>
    public bool IsActive(ClusterRecord cluster) =>
        (IsConnected(cluster.Id) || !leadership.IsLeader) && cluster.LastSeen is { } seen && time.GetUtcNow() - seen <= options.ClusterHeartbeatTimeout;

    /// <summary>
    /// Since when the cluster has been inactive, or null while it is active: from the moment its link went (or the root
    /// started, when it has not linked since), or from the moment its last heartbeat became too old.
    /// </summary>
    public DateTimeOffset? InactiveSince(ClusterRecord cluster)
    {
        if (IsActive(cluster))
        {
            return null;
        }

        var changed = _linkChanged.TryGetValue(cluster.Id, out var at) ? at : _started;
        if (!IsConnected(cluster.Id))
        {
            return changed;
        }

        var heartbeat = cluster.LastSeen is { } seen && seen > changed ? seen : changed;
        return heartbeat + options.ClusterHeartbeatTimeout;
    }

    /// <summary>
    /// This replica has become leader: a cluster's absence counts from now, since until now it was linked to the previous leader
    /// (or to none), not gone.
    /// </summary>
    public void BeginTerm()
    {
        _started = time.GetUtcNow();
        _linkChanged.Clear();
    }

    /// <summary>Makes <paramref name="connection"/> the cluster's link and closes the one it replaces.</summary>
    public void Register(ClusterConnection connection)
    {
        ClusterConnection? replaced = null;
        _links.AddOrUpdate(connection.ClusterId, connection, (_, old) =>
        {
            replaced = old;
            return connection;
        });
        _linkChanged[connection.ClusterId] = time.GetUtcNow();
        if (replaced is not null && replaced != connection)
        {
            LinkReplaced(connection.ClusterName);
            replaced.Close("replaced by a newer link from the same cluster");
        }
    }

    /// <summary>Forgets the link if it is still the current one, and fails the questions waiting on it.</summary>
    public void Unregister(ClusterConnection connection)
    {
        if (!_links.TryRemove(new KeyValuePair<string, ClusterConnection>(connection.ClusterId, connection)))
        {
            return;
        }

        _linkChanged[connection.ClusterId] = time.GetUtcNow();
        foreach (var (id, pending) in _pending)
        {
            if (pending.ClusterId == connection.ClusterId && _pending.TryRemove(id, out _))
            {
                pending.Answer.TrySetException(new ClusterUnavailableException($"the link to cluster '{connection.ClusterName}' was lost"));
            }
        }
    }

    /// <summary>Sends on the cluster's link; nothing while this replica's lease is not fresh (a paused leader that just resumed).</summary>
    public bool TrySend<T>(string clusterId, string type, T payload) =>
        leadership.IsLeader && _links.TryGetValue(clusterId, out var link) && link.TrySend(type, payload);

    /// <summary>Asks a cluster a question and waits for its answer up to <see cref="RootOptions.RequestTimeout"/>.</summary>
    public async Task<LinkResponse> RequestAsync(string clusterId, string clusterName, string kind, JsonObject? args, CancellationToken ct)
    {
        if (!leadership.IsLeader || !_links.TryGetValue(clusterId, out var link))
        {
            throw new ClusterUnavailableException($"cluster '{clusterName}' is not connected");
        }

        var requestId = Guid.NewGuid().ToString("N");
        var answer = new TaskCompletionSource<LinkResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = (clusterId, answer);
        try
        {
            if (!link.TrySend(LinkMessageTypes.Request, new LinkRequest(requestId, kind, args)))
            {
                throw new ClusterUnavailableException($"cluster '{clusterName}' is disconnecting");
            }

            return await answer.Task.WaitAsync(options.RequestTimeout, time, ct);
        }
        catch (TimeoutException)
        {
            throw new ClusterUnavailableException(
                $"cluster '{clusterName}' did not answer the '{kind}' request within {options.RequestTimeout.TotalSeconds:0.#} s");
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    public void Complete(string clusterId, LinkResponse response)
    {
        if (_pending.TryGetValue(response.RequestId, out var pending) && pending.ClusterId == clusterId &&
            _pending.TryRemove(response.RequestId, out _))
        {
            pending.Answer.TrySetResult(response);
        }
        else
        {
            UnexpectedResponse(response.RequestId);
        }
    }

    /// <summary>Graceful shutdown: every link gets a close frame.</summary>
    public void CloseAll(string reason)
    {
        foreach (var link in _links.Values)
        {
            link.Close(reason);
        }
    }

    [LoggerMessage(EventId = 1401, Level = LogLevel.Information, Message = "Cluster {Cluster} opened a new link; the older one is closed")]
    private partial void LinkReplaced(string cluster);

    [LoggerMessage(EventId = 1402, Level = LogLevel.Debug, Message = "Response to unknown or expired request {RequestId} ignored")]
    private partial void UnexpectedResponse(string requestId);
}
