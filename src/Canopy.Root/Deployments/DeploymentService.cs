using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Canopy.Contracts.Link;
using Canopy.Core.Addressing;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Networking;
using Canopy.Root.Placement;
using Canopy.Root.Replicas;
using Canopy.Root.Store;
using Canopy.Root.Vault;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Deployments;

/// <summary>
/// Every change of desired state a user asks for: applications, services, instances. Such changes are serialized (one gate)
/// so that counts and service IPs are decided on a stable picture; placement itself is the scheduler's.
/// </summary>
internal sealed partial class DeploymentService(
    IRootStore store, LinkHub hub, RootScheduler scheduler, NetTableRelay relay, SecretVault vault, RootLeadership leadership, TimeProvider time,
    IHostApplicationLifetime lifetime, ExecPermission exec, Metrics.RootMetrics metrics, ILogger<DeploymentService> log)
{
    /// <summary>Scale requests above this are refused as typos rather than attempted.</summary>
    public const int MaxInstances = 1000;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _rollouts = new();

    private async Task<T> GatedAsync<T>(Func<Task<T>> action, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await action();
        }
        finally
        {
            _gate.Release();

            // Services, their addresses and their instances' placement are what clusters' net tables are made of.
            relay.Changed();
        }
    }

    /// <summary>Tells the clusters to undeploy what is marked; a disconnected cluster gets it from the hello reconciliation.</summary>
    private void SendUndeploys(DeletionOutcome outcome)
    {
        // A follower holds no link: the marks are stored, and the leader sends them when told (or at its next sweep).
        if (!leadership.IsLeader)
        {
            if (outcome.AwaitingUndeploy.Count > 0)
            {
                leadership.TellLeader(LeaderNews.Undeploy);
            }

            return;
        }

        foreach (var instance in outcome.AwaitingUndeploy)
        {
            if (!hub.TrySend(instance.ClusterId!, LinkMessageTypes.Undeploy, new UndeployInstance(instance.ServiceId, instance.InstanceNumber)))
            {
                UndeployDeferred(instance.ServiceId, instance.InstanceNumber);
            }
        }
    }

    /// <summary>A descriptor naming a secret the owner does not have (or one that does not fit) is refused, naming the field.</summary>
    private async Task CheckSecretsAsync(string scope, IEnumerable<(SlaMicroservice, string)> services, CancellationToken ct)
    {
        if (await vault.CheckReferencesAsync(scope, services, ct) is { Count: > 0 } errors)
        {
            throw SlaIntake.Invalid(errors);
        }
    }

    private static ServiceRecord NewService(
        string id, ApplicationRecord application, SlaMicroservice typed, JsonObject raw, ServiceIps ips, DateTimeOffset now)
    {
        raw["microserviceID"] = id;
        SetRrIp(raw, ips.RrIp);
        return new ServiceRecord
        {
            Id = id,
            ApplicationId = application.Id,
            Owner = application.Owner,
            OrganizationId = application.OrganizationId,
            AppName = application.Name,
            AppNs = application.Namespace,
            ServiceName = typed.MicroserviceName,
            ServiceNs = typed.MicroserviceNamespace,
            JobName = JobNames.For(application.Name, application.Namespace, typed.MicroserviceName, typed.MicroserviceNamespace),
            Microservice = raw.ToJsonString(),
            RrIp = ips.RrIp,
            ClosestIp = ips.ClosestIp,
            Vcpus = typed.Vcpus,
            MemoryMb = typed.Memory,
            DesiredInstances = typed.InstancesOrDefault(),
            CreatedAt = now,
        };
    }

    private static void SetRrIp(JsonObject raw, string rrIp)
    {
        if (raw["addresses"] is JsonObject addresses)
        {
            addresses["rr_ip"] = rrIp;
        }
        else
        {
            raw["addresses"] = new JsonObject { ["rr_ip"] = rrIp };
        }
    }

    /// <summary>Every service IP (rr_ip and closest_ip) of the stored services but <paramref name="except"/>.</summary>
    private async Task<HashSet<string>> TakenServiceIpsAsync(string? except, CancellationToken ct) =>
        (await store.ListServiceIpsAsync(ct)).Where(s => s.ServiceId != except).SelectMany(s => (string?[])[s.RrIp, s.ClosestIp]).OfType<string>().ToHashSet();

    [LoggerMessage(EventId = 1201, Level = LogLevel.Information, Message = "Application {Application} ({ApplicationId}) created by {Owner} with {Services} services")]
    private partial void ApplicationCreated(string application, string applicationId, string owner, int services);

    [LoggerMessage(EventId = 1202, Level = LogLevel.Information, Message = "Service {JobName} ({ServiceId}) created")]
    private partial void ServiceCreated(string jobName, string serviceId);

    [LoggerMessage(EventId = 1203, Level = LogLevel.Information, Message = "Instance {InstanceNumber} of {JobName} requested")]
    private partial void InstanceRequested(string jobName, int instanceNumber);

    [LoggerMessage(EventId = 1204, Level = LogLevel.Information, Message = "{What} {Id} marked for deletion; {Waiting} instances wait for their cluster")]
    private partial void DeletionRequested(string what, string id, int waiting);

    [LoggerMessage(EventId = 1205, Level = LogLevel.Information,
        Message = "Undeploy of {ServiceId}/{InstanceNumber} deferred: its cluster is not connected; its hello will finish it")]
    private partial void UndeployDeferred(string serviceId, int instanceNumber);

    [LoggerMessage(EventId = 1206, Level = LogLevel.Information, Message = "Service {JobName} scaled to {Instances} instances")]
    private partial void Scaled(string jobName, int instances);

    [LoggerMessage(EventId = 1207, Level = LogLevel.Information, Message = "Service {JobName} updated; rolling {Instances} instances")]
    private partial void Updated(string jobName, int instances);

    [LoggerMessage(EventId = 1208, Level = LogLevel.Warning, Message = "Rollout of {ServiceId}: instance {InstanceNumber} did not come up within {Seconds} s ({Status}); continuing")]
    private partial void RolloutSlow(string serviceId, int instanceNumber, double seconds, string status);

    [LoggerMessage(EventId = 1209, Level = LogLevel.Error, Message = "Rollout of {ServiceId} failed")]
    private partial void RolloutFailed(Exception e, string serviceId);

    [LoggerMessage(EventId = 1210, Level = LogLevel.Information, Message = "Descriptor warning for {Owner}: {Warning}")]
    private partial void DescriptorWarning(string owner, string warning);
}
