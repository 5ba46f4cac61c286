using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.Resources;
using Canopy.Core.States;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Deployments;
using Canopy.Root.Placement;
using Canopy.Root.Store;

namespace Canopy.Root.Api;

/// <summary>Builds the API's documents from stored records (status derived, cluster names resolved, unknown SLA fields kept).</summary>
internal sealed class Views(IRootStore store, LinkHub hub)
{
    /// <summary>Fields <see cref="ServiceDocument"/> has itself; every other key of the stored microservice is passed on as given.</summary>
    private static readonly HashSet<string> ServiceDocumentFields = CanopyJson.Options.GetTypeInfo(typeof(ServiceDocument)).Properties
        .Where(p => !p.IsExtensionData).Select(p => p.Name).ToHashSet();

    public async Task<IReadOnlyList<ApplicationDocument>> ApplicationsAsync(
        string? owner, IReadOnlyDictionary<string, IReadOnlyList<string>>? warnings, CancellationToken ct)
    {
        var applications = await store.ListApplicationsAsync(owner, ct);
        var services = (await store.ListServicesAsync(null, ct)).ToLookup(s => s.ApplicationId);
        return applications.Select(a => Application(a, services[a.Id], warnings?.GetValueOrDefault(a.Id))).ToList();
    }

    public async Task<ApplicationDocument> ApplicationAsync(ApplicationRecord application, CancellationToken ct) =>
        Application(application, await store.ListServicesAsync(application.Id, ct), null);

    public async Task<ServiceDocument> ServiceAsync(ServiceRecord service, CancellationToken ct) =>
        Service(service, await store.ListInstancesAsync(service.Id, ct), await ClusterNamesAsync(ct));

    public async Task<IReadOnlyList<ServiceDocument>> ServicesAsync(IEnumerable<ServiceRecord> services, CancellationToken ct)
    {
        var instances = (await store.ListInstancesAsync(null, ct)).ToLookup(i => i.ServiceId);
        var clusters = await ClusterNamesAsync(ct);
        return services.Select(s => Service(s, instances[s.Id].ToList(), clusters)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, string>> ClusterNamesAsync(CancellationToken ct) =>
        (await store.ListClustersAsync(ct)).ToDictionary(c => c.Id, c => c.Name);

    public ClusterDocument Cluster(ClusterRecord cluster)
    {
        var resources = ClusterCandidates.ParseObject(cluster.Resources);
        return new ClusterDocument
        {
            Id = cluster.Id,
            ClusterName = cluster.Name,
            ClusterLocation = cluster.Location,
            Active = hub.IsActive(cluster),
            LastSeen = cluster.LastSeen,
            ClockSkewSeconds = hub.ClockSkew(cluster.Id) is { } skew ? Math.Round(skew.TotalSeconds, 1) + 0.0 : null,
            Resources = resources,
            AggregatedCpuPercent = ClusterCandidates.Number(resources, ResourceKeys.CpuPercent) ?? 0,
            MemoryInMb = (long)(ClusterCandidates.Number(resources, ResourceKeys.Memory) ?? 0),
            TotalCpuCores = ClusterCandidates.Number(resources, ResourceKeys.Vcpus) ?? 0,
            ActiveNodes = (int)(ClusterCandidates.Number(resources, ResourceKeys.ActiveNodes) ?? 0),
        };
    }

    public static InstanceDocument Instance(InstanceRecord i, string? clusterName) => new()
    {
        InstanceNumber = i.InstanceNumber,
        Status = i.Status,
        StatusDetail = i.Deleting ? Join("being removed", i.StatusDetail) : i.StatusDetail,
        ClusterId = i.ClusterId,
        ClusterName = clusterName,
        WorkerId = i.NodeId,
        NodeName = i.NodeName,
        HostIp = i.HostIp,
        HostPort = i.HostPort,
        PublicIp = i.HostIp,
        CpuPercent = i.CpuPercent,
        Memory = i.Memory,
        MemoryPercent = i.MemoryPercent,
        RestartCount = i.RestartCount,
        ExitCode = i.ExitCode,
        Pid = i.Pid,
        StartedAt = i.StartedAt,
        LastModifiedTimestamp = i.UpdatedAt.ToUnixTimeMilliseconds() / 1000.0,
    };

    public async Task<InstanceDetailDocument> InstanceDetailAsync(ServiceRecord service, InstanceRecord i, CancellationToken ct)
    {
        var clusters = await ClusterNamesAsync(ct);
        var events = await store.ListInstanceEventsAsync(i.ServiceId, i.InstanceNumber, ct);
        var d = Instance(i, i.ClusterId is { } c ? clusters.GetValueOrDefault(c) : null);
        return new InstanceDetailDocument(d)
        {
            ServiceId = service.Id,
            JobName = service.JobName,
            Events = events.Select(e => new InstanceEventDocument
            {
                Time = e.Time,
                Status = e.Status,
                Detail = e.Detail,
                Cluster = e.ClusterName,
                Node = e.NodeName,
            }).ToList(),
        };
    }

    public static ServiceInstanceDocument ServiceInstance(ServiceRecord s, InstanceRecord i, string? clusterName) =>
        new(Instance(i, clusterName), s.Id)
        {
            ApplicationId = s.ApplicationId,
            ServiceName = s.ServiceName,
            JobName = s.JobName,
        };

    private static ApplicationDocument Application(ApplicationRecord a, IEnumerable<ServiceRecord> services, IReadOnlyList<string>? warnings) => new()
    {
        ApplicationId = a.Id,
        ApplicationName = a.Name,
        ApplicationNamespace = a.Namespace,
        ApplicationDesc = a.Description,
        UserId = a.Owner,
        Microservices = services.Select(s => s.Id).ToList(),
        Warnings = warnings is { Count: > 0 } ? warnings : null,
    };

    private static ServiceDocument Service(ServiceRecord s, IReadOnlyList<InstanceRecord> instances, IReadOnlyDictionary<string, string> clusters)
    {
        var ms = ServiceSpecs.Read(s);
        var raw = ClusterCandidates.ParseObject(s.Microservice);

        // Instances being removed no longer count for the service's status, unless the whole service is going.
        var counted = s.Deleting ? instances : instances.Where(i => !i.Deleting).ToList();
        var status = ServiceStatus.Derive(counted.Select(i => i.Status).ToList(), s.NextInstanceNumber == 0 ? 0 : s.DesiredInstances);
        var detail = counted.FirstOrDefault(i => i.Status.ToWireName() == status)?.StatusDetail;
        var extra = raw.Where(p => !ServiceDocumentFields.Contains(p.Key))
            .ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value));
        return new ServiceDocument
        {
            MicroserviceId = s.Id,
            ApplicationId = s.ApplicationId,
            AppName = s.AppName,
            AppNs = s.AppNs,
            MicroserviceName = s.ServiceName,
            MicroserviceNamespace = s.ServiceNs,
            ServiceName = s.ServiceName,
            ServiceNs = s.ServiceNs,
            JobName = s.JobName,
            Virtualization = ms.Virtualization,
            Code = ms.Code,
            Image = ms.Code,
            Cmd = ms.Cmd,
            Environment = ms.Environment,
            Memory = ms.Memory,
            Vcpus = ms.Vcpus,
            Vgpus = ms.Vgpus,
            Storage = ms.Storage,
            Port = ms.Port,
            Addresses = ms.Addresses,
            OneShot = ms.OneShot,
            Privileged = ms.Privileged,
            RestartPolicy = ms.RestartPolicyOrDefault(),
            Constraints = ms.Constraints,
            Instances = s.DesiredInstances,
            Status = status,
            StatusDetail = s.Deleting ? Join("being deleted", detail) : detail,
            InstanceList = instances.Select(i => Instance(i, i.ClusterId is { } c ? clusters.GetValueOrDefault(c) : null)).ToList(),
            Extra = extra.Count > 0 ? extra : null,
        };
    }

    private static string Join(string first, string? second) => second is null ? first : $"{first}; {second}";
}
