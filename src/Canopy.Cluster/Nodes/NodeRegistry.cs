using System.Security.Cryptography;
using System.Text.Json;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Registration;
using Canopy.Core.Addressing;
using Canopy.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Nodes;

/// <summary>
/// <c>POST /api/node/register</c>. A registered node proves it is itself with its own secret (the cluster keeps its hash) and gets
/// its id, subnet and broker account again, join token or not. Anyone else needs a join token (<see cref="NodeJoinTokens"/>) and gets
/// a new node: a join token never takes over an existing id. The broker accepts the account before the answer goes out.
/// </summary>
internal sealed partial class NodeRegistry(
    ClusterGate gate, IClusterStore store, BrokerService broker, BrokerUsers users, NodeJoinTokens tokens, NodeHealth health,
    NodeSubnets subnets, NetChanges netChanges, NodeRegistrationRates rates, RegistrationTimings timings, ClusterOptions options, TimeProvider time, ILogger<NodeRegistry> logger)
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

        var steps = timings.Start();

        // Counted per node only once it proves it is that node: nobody else can use up a node's registrations.
        var id = ReadString(body, "id");
        var proven = id is { Length: > 0 } && await store.GetNodeAsync(id, ct) is { } known && Secrets.Matches(ReadString(body, "secret"), known.SecretHash);
        rates.Admit(proven ? id : null, ReadString(body, "host"));
        await broker.Ready.WaitAsync(ct);
        steps.Mark(RegistrationTimings.Step.Checks);
        var node = await gate.RunAsync(() =>
        {
            steps.Mark(RegistrationTimings.Step.GateWait);
            return AdmitAsync(body, ct);
        }, ct);
        steps.Mark(RegistrationTimings.Step.Admit);
        netChanges.Changed();
        await users.ApplyAsync(new BrokerUser(node.Id, node.MqttPassword), ct, () => steps.Mark(RegistrationTimings.Step.Account));
        steps.Mark(RegistrationTimings.Step.Probe);
        Log.Registered(logger, node.Host, node.Id, node.Subnet ?? "(none)");
        timings.Record(node.Host, node.Id, steps);
        return new NodeRegisterResponse(
            node.Id, new MqttCredentials(options.Mqtt.AdvertisedHost, options.Mqtt.Port, node.Id, node.MqttPassword, options.Mqtt.Tls), node.Subnet,
            options.OverlayEncryption);
    }

    /// <summary>
    /// <c>POST /api/node/leave</c> (<c>canopy node --leave</c>): a registered node, proved by its own secret, leaves for good. Its
    /// instances are placed elsewhere, the cluster forgets it and the broker no longer takes its account.
    /// </summary>
    public async Task<MessageResponse> LeaveAsync(JsonElement body, CancellationToken ct)
    {
        var id = body.ValueKind == JsonValueKind.Object ? ReadString(body, "id") : null;
        if (string.IsNullOrEmpty(id))
        {
            throw ApiProblem.BadRequest("id: the leaving node's id is required (with its secret, both from its node.json)", ["id: required"]);
        }

        var node = await gate.RunAsync(async () =>
        {
            var existing = await store.GetNodeAsync(id, ct) ??
                           throw ApiProblem.NotFound($"node {id} is not registered at this cluster (it may have left already)");
            if (!Secrets.Matches(ReadString(body, "secret"), existing.SecretHash))
            {
                throw ApiProblem.Forbidden(
                    $"this request does not prove it is node {id} (its secret is missing or wrong): a node leaves with the secret in its data dir (node.json)");
            }

            await health.LeaveAsync(existing, ct);
            return existing;
        }, ct);
        await users.RevokeRemovedAsync(ct);
        return new MessageResponse($"node {node.Host} ({node.Id}) left the cluster; its instances are placed again");
    }

    private async Task<NodeRecord> AdmitAsync(JsonElement body, CancellationToken ct)
    {
        var id = ReadString(body, "id");
        var secret = ReadString(body, "secret");
        var host = ReadString(body, "host") ?? "(no host)";

        // Without an id, the secret still finds the node: its first answer may have been lost before it kept the id.
        var existing = id is { Length: > 0 } ? await store.GetNodeAsync(id, ct)
            : secret is { Length: > 0 } ? await store.FindNodeBySecretAsync(Secrets.Hash(secret), ct)
            : null;
        if (existing is not null && Secrets.Matches(secret, existing.SecretHash))
        {
            return await RenewAsync(existing, Parse(body), ct);
        }

        var token = await tokens.CheckAsync(ReadString(body, "join_token"), ct);
        if (token.Refusal is { } why)
        {
            Log.Refused(logger, host, why);
            throw ApiProblem.Unauthorized(why);
        }

        if (existing is { SecretHash: not null })
        {
            var refusal = $"node {existing.Id} is registered, and this registration does not prove it is that node (its secret is " +
                          "missing or wrong). A registered node proves it by itself with the secret in its data dir (node.json); a new " +
                          "node registers without an id";
            Log.Refused(logger, host, refusal);
            throw ApiProblem.Forbidden(refusal);
        }

        var request = Parse(body);
        if (request.Secret is not { Length: >= Secrets.MinLength and <= 256 })
        {
            throw ApiProblem.BadRequest(
                $"secret: a node registers with a secret of its own ({Secrets.MinLength} to 256 characters) that later proves it is this " +
                "node; a node that sends none runs an older Canopy: upgrade it", ["secret: missing or too short"]);
        }

        if (existing is not null)
        {
            // Registered before node secrets existed, when the id was all a node had: the first node to name it with a valid join
            // token binds its secret (trust on first use); from then on only that secret registers it.
            Log.SecretBound(logger, existing.Id, request.Host);
            return await RenewAsync(existing, request, ct);
        }

        return await AddAsync(request, token.TokenId, ct);
    }

    /// <summary>
    /// A registered node again: the same id, broker account and subnet (unless something on its machine now routes that subnet, or
    /// it lies outside the blocks the root gave this cluster); its static facts, overlay endpoint included, as it reports them now.
    /// </summary>
    private async Task<NodeRecord> RenewAsync(NodeRecord existing, NodeRegisterRequest request, CancellationToken ct)
    {
        var node = existing with
        {
            Host = request.Host,
            Ip = request.Ip ?? existing.Ip,
            StaticInfo = StaticInfo(request),
            SecretHash = existing.SecretHash ?? Secrets.Hash(request.Secret!),

            // Its last information predates this start of the node: its overlay endpoint may have changed since.
            Latest = existing.Latest is { } latest ? latest with { Overlay = request.Overlay } : null,
        };
        if (existing.Subnet is { } subnet && SubnetPool.Clash(subnet, request.SubnetsInUse) is { } route)
        {
            // Another node on its machine (of another cluster) or a network there took its subnet meanwhile.
            node = node with { Subnet = await subnets.AllocateAsync(request, ct) };
            Log.SubnetMoved(logger, node.Host, node.Id, subnet, route, node.Subnet);
        }
        else if (existing.Subnet is { } kept && await subnets.IsOutsideBlocksAsync(kept, ct))
        {
            // Given before the cluster had blocks (or by an older plan): another cluster's node may get it from the root's plan.
            node = node with { Subnet = await subnets.AllocateAsync(request, ct) };
            Log.SubnetOutsideBlocks(logger, node.Host, node.Id, kept, node.Subnet);
        }

        await store.SaveNodeAsync(node, ct);
        return node;
    }

    private async Task<NodeRecord> AddAsync(NodeRegisterRequest request, string? tokenId, CancellationToken ct)
    {
        var node = new NodeRecord
        {
            Id = RandomNumberGenerator.GetHexString(24, lowercase: true),
            Host = request.Host,
            Ip = request.Ip,
            StaticInfo = StaticInfo(request),
            MqttPassword = BrokerUsers.NewPassword(),
            SecretHash = Secrets.Hash(request.Secret!),
            Subnet = await subnets.AllocateAsync(request, ct),
            RegisteredAt = time.GetUtcNow(),
            Active = false,
        };
        return await store.AddNodeAsync(node, tokenId, ct)
            ? node
            : throw ApiProblem.Unauthorized(NodeJoinTokens.UsedUp(tokenId!, null));
    }

    private static NodeRegisterRequest Parse(JsonElement body)
    {
        NodeRegisterRequest request;
        try
        {
            request = CanopyJson.Deserialize<NodeRegisterRequest>(body) ?? throw new JsonException("empty document");
        }
        catch (JsonException e)
        {
            throw ApiProblem.BadRequest($"the node registration is not valid: {e.Message}");
        }

        return string.IsNullOrWhiteSpace(request.Host)
            ? throw ApiProblem.BadRequest("host: the node's host name is required", ["host: required"])
            : request;
    }

    /// <summary>What the cluster keeps of the request: never a secret.</summary>
    private static NodeRegisterRequest StaticInfo(NodeRegisterRequest request) => request with { JoinToken = "", Secret = null };

    private static string? ReadString(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.NodeSubnetMoved, Level = LogLevel.Warning,
            Message = "Node {Host} ({NodeId}): its subnet {Subnet} clashes with {Route} on its machine; it gets {NewSubnet}")]
        public static partial void SubnetMoved(ILogger logger, string host, string nodeId, string subnet, string route, string? newSubnet);

        [LoggerMessage(EventId = EventIds.SubnetOutsideBlocks, Level = LogLevel.Warning,
            Message = "Node {Host} ({NodeId}): its subnet {Subnet} lies outside the subnet blocks the root gave this cluster; it gets {NewSubnet}")]
        public static partial void SubnetOutsideBlocks(ILogger logger, string host, string nodeId, string subnet, string? newSubnet);

        [LoggerMessage(EventId = EventIds.NodeRegistered, Level = LogLevel.Information, Message = "Node {Host} registered as {NodeId} (subnet {Subnet})")]
        public static partial void Registered(ILogger logger, string host, string nodeId, string subnet);

        [LoggerMessage(EventId = EventIds.NodeRegistrationRefused, Level = LogLevel.Warning, Message = "Refused registration of node {Host}: {Why}")]
        public static partial void Refused(ILogger logger, string host, string why);

        [LoggerMessage(EventId = EventIds.NodeSecretBound, Level = LogLevel.Warning,
            Message = "Node {NodeId}, registered before node secrets, was claimed by {Host} with a valid join token; its secret is bound to it now")]
        public static partial void SecretBound(ILogger logger, string nodeId, string host);
    }
}
