using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Cluster.Instances;
using Canopy.Cluster.Net;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Placement;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// What the root asks of the cluster: <c>deploy</c> and <c>undeploy</c> (callers hold the <see cref="ClusterGate"/>), and
/// <c>request</c>s answered from the store or by asking a node (without the gate: a node may take seconds).
/// </summary>
internal sealed partial class RootCommands(
    IClusterStore store, InstanceTracker tracker, ClusterScheduler scheduler, NodeCommands nodes, LogRequests logs, RootOutbox root,
    NodeJoinTokens tokens, NodeSubnets subnets, NetChanges netChanges, ClusterReadiness readiness, ClusterOptions options,
    ILogger<RootCommands> logger)
{
    private static readonly TimeSpan LogsTimeout = TimeSpan.FromSeconds(4);

    /// <summary>
    /// Deploys in the order the root sent them. The new instances among them are placed together (<see cref="ClusterScheduler.PlaceAllAsync"/>:
    /// one candidate list, one store transaction); one the cluster already holds is handled as the root asks, after them.
    /// </summary>
    public async Task DeployAllAsync(IReadOnlyList<DeployInstance> deploys, CancellationToken ct)
    {
        // The last spec sent for a service is the one in force, as if each deploy had stored its own in turn.
        foreach (var spec in deploys.Select(d => d.Service).Reverse().DistinctBy(s => s.ServiceId))
        {
            await store.SaveServiceAsync(spec, ct);
        }

        // The specs may bring new service IPs for the tables.
        netChanges.Changed();
        var created = new List<InstanceRecord>();
        var creating = new HashSet<(string, int)>();
        var again = new List<DeployInstance>();
        foreach (var deploy in deploys)
        {
            Log.Deploy(logger, deploy.Service.ServiceId, deploy.InstanceNumber, deploy.Service.JobName);
            if (!creating.Contains((deploy.Service.ServiceId, deploy.InstanceNumber)) &&
                await store.GetInstanceAsync(deploy.Service.ServiceId, deploy.InstanceNumber, ct) is null)
            {
                creating.Add((deploy.Service.ServiceId, deploy.InstanceNumber));
                created.Add(new InstanceRecord
                {
                    ServiceId = deploy.Service.ServiceId,
                    InstanceNumber = deploy.InstanceNumber,
                    Status = InstanceStatus.ClusterScheduled,
                    Detail = "waiting for a worker",
                    UpdatedAt = tracker.Now,
                });
            }
            else
            {
                again.Add(deploy);
            }
        }

        var placed = await scheduler.PlaceAllAsync(created, ct);
        for (var i = 0; i < created.Count; i++)
        {
            if (ReferenceEquals(placed[i], created[i]))
            {
                // Neither placed nor refused (the transition table said no): still, the cluster holds it now.
                await tracker.SaveAsync(null, created[i], ct);
            }
        }

        foreach (var deploy in again)
        {
            await DeployExistingAsync(deploy, ct);
        }
    }

    /// <summary>The root sent it again (e.g. it missed our report): it wants the instance, so an undeploy in progress is off.</summary>
    private async Task DeployExistingAsync(DeployInstance deploy, CancellationToken ct)
    {
        var spec = deploy.Service;
        if (await store.GetInstanceAsync(spec.ServiceId, deploy.InstanceNumber, ct) is not { } existing)
        {
            return;
        }

        var instance = existing with { Deleting = false };
        if (ClusterScheduler.IsWaitingForPlacement(instance.Status))
        {
            await scheduler.PlaceAsync(instance, ct);
            return;
        }

        await tracker.SaveAsync(existing, instance, ct);
        if (existing.Deleting && instance.NodeId is { } nodeId)
        {
            nodes.Deploy(nodeId, spec, instance.InstanceNumber);
        }

        root.InstanceStatus(await tracker.ReportAsync(instance, ct));
    }

    public async Task UndeployAsync(UndeployInstance undeploy, CancellationToken ct)
    {
        Log.Undeploy(logger, undeploy.ServiceId, undeploy.InstanceNumber);
        IReadOnlyList<InstanceRecord> targets;
        if (undeploy.InstanceNumber < 0)
        {
            targets = await store.ListInstancesOfServiceAsync(undeploy.ServiceId, ct);
        }
        else if (await store.GetInstanceAsync(undeploy.ServiceId, undeploy.InstanceNumber, ct) is { } one)
        {
            targets = [one];
        }
        else
        {
            // Nothing to remove; saying so lets the root drop its record.
            tracker.ReportUnknownUndeployed(undeploy.ServiceId, undeploy.InstanceNumber);
            targets = [];
        }

        foreach (var instance in targets)
        {
            var node = instance.NodeId is null ? null : await store.GetNodeAsync(instance.NodeId, ct);
            if (node is { Active: true })
            {
                // The record goes when the node reports UNDEPLOYED (or stops reporting the instance).
                await tracker.SaveAsync(instance, instance with { Deleting = true, Detail = "undeploying" }, ct);
                var spec = await store.GetServiceAsync(instance.ServiceId, ct);
                nodes.Delete(node.Id, instance.ServiceId, instance.InstanceNumber, spec?.JobName ?? "");
            }
            else
            {
                await tracker.FinalizeUndeployAsync(instance, node is null ? "it was not placed on a node" : $"its node {node.Host} is inactive", ct);
            }
        }

        if ((await store.ListInstancesOfServiceAsync(undeploy.ServiceId, ct)).Count == 0)
        {
            await store.DeleteServiceAsync(undeploy.ServiceId, ct);
            netChanges.Changed();
        }
    }

    /// <summary>The other clusters' part of this cluster's tables: kept in the store, so that a restart publishes complete tables at once.</summary>
    public async Task NetTableAsync(RootNetTable table, CancellationToken ct)
    {
        await store.SetSettingAsync(SettingKeys.RootNetTable, CanopyJson.Serialize(table), ct);
        Log.NetTable(logger, table.Services.Count, table.Services.Sum(s => s.Instances.Count), table.Peers.Count);
        netChanges.Changed();
    }

    public Task SubnetBlocksAsync(SubnetBlocks blocks, CancellationToken ct) => subnets.SetBlocksAsync(blocks.Blocks, ct);

    public async Task<LinkResponse> AnswerAsync(LinkRequest request, CancellationToken ct)
    {
        try
        {
            return request.Kind switch
            {
                LinkRequestKinds.Nodes => Ok(request, NodeDocuments.Build(
                    await store.ListNodesAsync(ct), await store.ListInstancesAsync(ct), readiness.ClusterId, options.Name)),
                LinkRequestKinds.Logs => await LogsAsync(request, ct),
                LinkRequestKinds.NodeTokensCreate => Ok(request, await tokens.CreateAsync(
                    ReadString(request.Args, "description"), ReadLong(request.Args, "ttl_seconds"), ReadLong(request.Args, "max_uses"),
                    ReadString(request.Args, "created_by"), ct)),
                LinkRequestKinds.NodeTokensList => Ok(request, await tokens.ListAsync(ct)),
                LinkRequestKinds.NodeTokensRevoke => await RevokeTokenAsync(request, ct),
                _ => Error(request, $"unknown request kind '{request.Kind}'"),
            };
        }
        catch (ArgumentException e)
        {
            return Error(request, e.Message);
        }
    }

    private async Task<LinkResponse> RevokeTokenAsync(LinkRequest request, CancellationToken ct)
    {
        var id = ReadString(request.Args, "id") ?? throw new ArgumentException("node_tokens.revoke: args.id is required");
        return await tokens.RevokeAsync(id, ct) is { } revoked
            ? Ok(request, revoked)
            : Error(request, $"node join token '{id}' not found at cluster '{options.Name}'");
    }

    private async Task<LinkResponse> LogsAsync(LinkRequest request, CancellationToken ct)
    {
        var serviceId = ReadString(request.Args, "service_id") ?? throw new ArgumentException("logs: args.service_id is required");
        var number = ReadInt(request.Args, "instance_number") ?? throw new ArgumentException("logs: args.instance_number is required");
        var tail = ReadInt(request.Args, "tail") ?? 100;
        var instance = await store.GetInstanceAsync(serviceId, number, ct);
        if (instance is null)
        {
            return Error(request, $"instance {number} of service {serviceId} is not on this cluster");
        }

        var node = instance.NodeId is null ? null : await store.GetNodeAsync(instance.NodeId, ct);
        if (node is not { Active: true })
        {
            return Error(request, $"instance {number} of service {serviceId} has no active node ({instance.Status})");
        }

        try
        {
            var result = await logs.RequestAsync(node.Id, serviceId, number, tail, LogsTimeout, ct);
            var body = new JsonObject { ["text"] = result.Text };
            return result.Error is null
                ? Ok(request, body)
                : new LinkResponse(request.RequestId, false, JsonSerializer.SerializeToElement(body, CanopyJson.Options), result.Error);
        }
        catch (TimeoutException)
        {
            return Error(request, $"node {node.Host} did not answer the logs request within {LogsTimeout.TotalSeconds} s");
        }
    }

    private static LinkResponse Ok<T>(LinkRequest request, T body) =>
        new(request.RequestId, true, JsonSerializer.SerializeToElement(body, CanopyJson.Options));

    private static LinkResponse Error(LinkRequest request, string error) => new(request.RequestId, false, null, error);

    private static string? ReadString(JsonObject? args, string name) =>
        args?[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static long? ReadLong(JsonObject? args, string name) =>
        args?[name] is not JsonValue value ? null
        : value.TryGetValue<long>(out var number) ? number
        : throw new ArgumentException($"args.{name} must be a whole number");

    private static int? ReadInt(JsonObject? args, string name)
    {
        if (args?[name] is not JsonValue value)
        {
            return null;
        }

        if (value.TryGetValue<int>(out var number))
        {
            return number;
        }

        return value.TryGetValue<string>(out var text) && int.TryParse(text, out number)
            ? number
            : throw new ArgumentException($"args.{name} must be a whole number");
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.DeployReceived, Level = LogLevel.Information, Message = "Root deploys instance {ServiceId}.{Instance} ({JobName})")]
        public static partial void Deploy(ILogger logger, string serviceId, int instance, string jobName);

        [LoggerMessage(EventId = EventIds.UndeployReceived, Level = LogLevel.Information, Message = "Root undeploys instance {ServiceId}.{Instance} (-1 = all)")]
        public static partial void Undeploy(ILogger logger, string serviceId, int instance);

        [LoggerMessage(EventId = EventIds.RootNetTableReceived, Level = LogLevel.Debug,
            Message = "Root net table: {Services} services with {Instances} instances on other clusters, {Peers} of their nodes")]
        public static partial void NetTable(ILogger logger, int services, int instances, int peers);
    }
}
