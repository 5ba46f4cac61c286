using System.Net.Http.Headers;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Registration;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>What <see cref="NodeLeave.RunAsync"/> did: <see cref="ClusterProblem"/> says why the cluster was not told, if it was not.</summary>
public sealed record NodeLeaveResult(string NodeName, string? ClusterProblem, int InstancesRemoved, string Bridge, string DataDir);

/// <summary>
/// <c>canopy node --leave</c>: the node leaves its cluster for good. The cluster is told first (<c>POST /api/node/leave</c> with the
/// node's own secret: it moves the node's instances elsewhere and forgets the node), then every instance goes, Canopy's containerd
/// stops, and what the node made in the kernel (bridge, CNI rules, mounts) goes with its data dir. Refused while a node engine
/// runs over the data dir.
/// </summary>
public static class NodeLeave
{
    private static readonly TimeSpan ClusterWait = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Why <paramref name="dataDir"/> must not be removed as a node's data dir, or null when it is one: a leave deletes the
    /// directory, and <c>canopy up</c>'s data dir holds the root's and the cluster's state beside the node's.
    /// </summary>
    public static string? RefusalFor(string dataDir)
    {
        static bool IsNodeDataDir(string dir) =>
            File.Exists(Path.Combine(dir, NodeIdentityStore.FileName)) || File.Exists(Path.Combine(dir, NodeDataDir.LockFileName));

        if (!Directory.Exists(dataDir))
        {
            return $"there is no node data dir {dataDir}: nothing to leave (--data-dir names the one the node ran with)";
        }

        if (IsNodeDataDir(dataDir))
        {
            return null;
        }

        var nested = Path.Combine(dataDir, "node");
        return IsNodeDataDir(nested)
            ? $"{dataDir} is not a node's data dir but holds one: {nested} (canopy up keeps its node there); leave with --data-dir {nested}"
            : $"{dataDir} is not a node's data dir (it has no {NodeIdentityStore.FileName} or {NodeDataDir.LockFileName}); nothing was removed";
    }

    /// <summary>Runs the leave with the services of <paramref name="host"/>, which must not have been started; disposes it.</summary>
    public static async Task<NodeLeaveResult> RunAsync(IHost host, CancellationToken ct)
    {
        var services = host.Services;
        var options = services.GetRequiredService<NodeEngineOptions>();
        if (RefusalFor(options.DataDir) is { } refusal)
        {
            host.Dispose();
            throw new InvalidOperationException(refusal);
        }

        using var held = NodeDataDir.Lock(options) ?? throw new InvalidOperationException(NodeDataDir.InUse(options));

        // Canopy's containerd stops with the runtimes instead of outliving them.
        options.StopInstancesOnShutdown = true;
        var instances = services.GetRequiredService<NodeInstances>();
        await instances.RecoverAsync(ct).ConfigureAwait(false);
        var problem = await TellClusterAsync(
            services.GetRequiredService<NodeIdentityStore>().Load(), services.GetRequiredService<ClusterTrust>(), options, ct).ConfigureAwait(false);
        var removed = await instances.RemoveAllAsync(ct).ConfigureAwait(false);
        var network = services.GetRequiredService<HostNetwork>();
        host.Dispose();
        network.RemoveOwn();
        Directory.Delete(options.DataDir, recursive: true);
        return new NodeLeaveResult(options.NodeName, problem, removed, network.Bridge, options.DataDir);
    }

    /// <summary>Null once the cluster confirmed; otherwise why it could not be told (it then sees the node as lost).</summary>
    private static async Task<string?> TellClusterAsync(NodeIdentity identity, ClusterTrust trust, NodeEngineOptions options, CancellationToken ct)
    {
        if (identity.Id is not { } id)
        {
            return "this node never registered with a cluster";
        }

        if (trust.Problem is { } problem)
        {
            return problem;
        }

        // Its secret goes only to the cluster whose CA it pinned.
        using var http = new HttpClient(trust.CreateHandler(TimeSpan.FromSeconds(5))) { Timeout = ClusterWait };
        var endpoint = new Uri(new Uri(options.ClusterUrls()[0].TrimEnd('/') + "/"), "api/node/leave");
        try
        {
            using var content = new ByteArrayContent(NodeJson.SerializeToUtf8(new NodeLeaveRequest(id, identity.Secret)));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(endpoint, content, ct).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return null;
            }

            var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            return $"the cluster at {options.ClusterUrl} answered {(int)response.StatusCode}: {Detail(body)}";
        }
        catch (HttpRequestException e) when (trust.Refusal(e) is { } refusal)
        {
            return $"the cluster at {options.ClusterUrl} was not told: {refusal}";
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return $"the cluster at {options.ClusterUrl} could not be reached ({e.Message})";
        }
    }

    /// <summary>The problem's detail, else the body as it came (cut short).</summary>
    private static string Detail(string body)
    {
        try
        {
            using var problem = JsonDocument.Parse(body);
            if (problem.RootElement.ValueKind == JsonValueKind.Object && problem.RootElement.TryGetProperty("detail", out var detail) &&
                detail.GetString() is { Length: > 0 } text)
            {
                return text;
            }
        }
        catch (JsonException)
        {
            // Not problem+json.
        }

        return body.Length > 300 ? body[..300] : body;
    }
}
