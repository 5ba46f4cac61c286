using System.Security.Cryptography;
using System.Text.Json;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Registration;
using Canopy.Core.Addressing;
using Canopy.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// <c>POST /api/node/register</c>: checks the join token (<see cref="NodeJoinTokens"/>), gives the node its id (the same one again on re-registration),
/// its subnet and its own broker account, and makes the broker accept that account before answering.
/// </summary>
internal sealed partial class NodeRegistry(
    ClusterGate gate, IClusterStore store, BrokerService broker, BrokerUsers users, NodeJoinTokens tokens, ClusterOptions options,
    TimeProvider time, ILogger<NodeRegistry> logger)
{
    /// <summary>
    /// Takes the document as sent, so that a missing or wrong token is a 401 before anything else is looked at
    /// (a missing token would otherwise fail deserialisation as a required field: a 400 that hides the real problem).
    /// </summary>
    public async Task<NodeRegisterResponse> RegisterAsync(JsonElement body, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw ApiProblem.BadRequest("the registration must be a JSON object");
        }

        await CheckTokenAsync(ReadString(body, "join_token"), ReadString(body, "host") ?? "(no host)", ct);
        NodeRegisterRequest request;
        try
        {
            request = CanopyJson.Deserialize<NodeRegisterRequest>(body) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw ApiProblem.BadRequest($"the node registration is not valid: {e.Message}");
        }

        if (string.IsNullOrWhiteSpace(request.Host))
        {
            throw ApiProblem.BadRequest("host: the node's host name is required", ["host: required"]);
        }

        await broker.Ready.WaitAsync(ct);
        var node = await gate.RunAsync(() => SaveAsync(request, ct), ct);
        await users.ApplyAsync(new BrokerUser(node.Id, node.MqttPassword), ct);
        Log.Registered(logger, node.Host, node.Id, node.Subnet ?? "(none)");
        return new NodeRegisterResponse(
            node.Id, new MqttCredentials(options.Mqtt.AdvertisedHost, options.Mqtt.Port, node.Id, node.MqttPassword), node.Subnet);
    }

    private static string? ReadString(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task CheckTokenAsync(string? token, string host, CancellationToken ct)
    {
        if (await tokens.RefusalAsync(token, ct) is { } why)
        {
            Log.Refused(logger, host, why);
            throw ApiProblem.Unauthorized(why);
        }
    }

    private async Task<NodeRecord> SaveAsync(NodeRegisterRequest request, CancellationToken ct)
    {
        // A known id keeps it; without an id, a host name we know keeps its id too (a node that lost its data dir).
        var existing = request.Id is { Length: > 0 } id
            ? await store.GetNodeAsync(id, ct)
            : await store.FindNodeByHostAsync(request.Host, ct);
        var staticInfo = request with { JoinToken = "" };
        NodeRecord node;
        if (existing is not null)
        {
            node = existing with { Host = request.Host, Ip = request.Ip ?? existing.Ip, StaticInfo = staticInfo };
            if (existing.Subnet is { } subnet && SubnetPool.Clash(subnet, request.SubnetsInUse) is { } route)
            {
                // Another node on its machine (of another cluster) or a network there took its subnet meanwhile.
                node = node with { Subnet = await AllocateSubnetAsync(request, ct) };
                Log.SubnetMoved(logger, node.Host, node.Id, subnet, route, node.Subnet);
            }
        }
        else
        {
            node = new NodeRecord
            {
                Id = RandomNumberGenerator.GetHexString(24, lowercase: true),
                Host = request.Host,
                Ip = request.Ip,
                StaticInfo = staticInfo,
                MqttPassword = BrokerUsers.NewPassword(),
                Subnet = await AllocateSubnetAsync(request, ct),
                RegisteredAt = time.GetUtcNow(),
                Active = false,
            };
        }

        await store.SaveNodeAsync(node, ct);
        return node;
    }

    /// <summary>A /26 no node of this cluster has, avoiding what is routed on the node's own machine.</summary>
    private async Task<string> AllocateSubnetAsync(NodeRegisterRequest request, CancellationToken ct)
    {
        var taken = (await store.ListNodesAsync(ct)).Select(n => n.Subnet).OfType<string>().ToHashSet();
        return SubnetPool.Allocate(taken, request.SubnetsInUse) ?? throw ApiProblem.Unavailable("no free node subnet is left in 10.18.0.0/16");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NodeSubnetMoved, Level = LogLevel.Warning,
            Message = "Node {Host} ({NodeId}): its subnet {Subnet} clashes with {Route} on its machine; it gets {NewSubnet}")]
        public static partial void SubnetMoved(ILogger logger, string host, string nodeId, string subnet, string route, string? newSubnet);

        [LoggerMessage(EventId = EventIds.NodeRegistered, Level = LogLevel.Information, Message = "Node {Host} registered as {NodeId} (subnet {Subnet})")]
        public static partial void Registered(ILogger logger, string host, string nodeId, string subnet);

        [LoggerMessage(EventId = EventIds.NodeRegistrationRefused, Level = LogLevel.Warning, Message = "Refused registration of node {Host}: {Why}")]
        public static partial void Refused(ILogger logger, string host, string why);
    }
}
