using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.Resources;
using Canopy.Core.States;
using Canopy.Root.ClusterLinks;
using Canopy.Root.Deployments;
using Canopy.Root.Monitoring;
using Canopy.Root.Placement;
using Canopy.Root.Store;

namespace Canopy.Root.Api;

/// <summary>Builds the API's documents from stored records (status derived, clusters resolved, unknown SLA fields kept).</summary>
internal sealed class Views(IRootStore store, LinkHub hub, InstanceHistory history, InstanceLogTails logTails)
{
    /// <summary>How many stale log tails a list read asks for: lists can be long, the traffic must not be.</summary>
    public const int ListLogRefresh = 16;

    /// <summary>Fields <see cref="ServiceDocument"/> has itself; every other key of the stored microservice is passed on as given.</summary>
    private static readonly HashSet<string> ServiceDocumentFields = CanopyJson.Options.GetTypeInfo(typeof(ServiceDocument)).Properties
        .Where(p => !p.IsExtensionData).Select(p => p.Name).ToHashSet();

    public async Task<IReadOnlyList<ApplicationDocument>> ApplicationsAsync(
        string? organizationId, string? owner, IReadOnlyDictionary<string, IReadOnlyList<string>>? warnings, CancellationToken ct)
    {
        var applications = await store.ListApplicationsAsync(organizationId, owner, ct);
        var services = (await store.ListServicesAsync(null, ct)).ToLookup(s => s.ApplicationId);
        return applications.Select(a => Application(a, services[a.Id], warnings?.GetValueOrDefault(a.Id))).ToList();
    }

    public async Task<ApplicationDocument> ApplicationAsync(ApplicationRecord application, CancellationToken ct) =>
        Application(application, await store.ListServicesAsync(application.Id, ct), null);

    public async Task<ServiceDocument> ServiceAsync(ServiceRecord service, CancellationToken ct) =>
        Service(service, await store.ListInstancesAsync(service.Id, ct), await ClustersAsync(ct));

    /// <summary>
    /// The service as <c>GET /api/service/{id}</c> shows it: with its instances' last fetched log tails, the stale ones asked for
    /// anew. A read never waits for a node: clients poll this while instances start (<c>canopy app deploy --watch</c>), and a
    /// node busy starting one would hold every poll up.
    /// </summary>
    public async Task<ServiceDocument> ServiceWithLogsAsync(ServiceRecord service, CancellationToken ct)
    {
        var instances = await store.ListInstancesAsync(service.Id, ct);
        var clusters = await ClustersAsync(ct);
        logTails.Refresh(instances.Select(i => (i, ClusterOf(i, clusters)?.Name)), int.MaxValue);
        return Service(service, instances, clusters);
    }

    public async Task<IReadOnlyList<ServiceDocument>> ServicesAsync(IEnumerable<ServiceRecord> services, CancellationToken ct)
    {
        var listed = services.ToList();
        var ids = listed.Select(s => s.Id).ToHashSet();
        var instances = (await store.ListInstancesAsync(null, ct)).Where(i => ids.Contains(i.ServiceId)).ToList();
        var clusters = await ClustersAsync(ct);
        logTails.Refresh(instances.Select(i => (i, ClusterOf(i, clusters)?.Name)), ListLogRefresh);
        var byService = instances.ToLookup(i => i.ServiceId);
        return listed.Select(s => Service(s, byService[s.Id].ToList(), clusters)).ToList();
    }

    public async Task<IReadOnlyDictionary<string, ClusterRecord>> ClustersAsync(CancellationToken ct) =>
        (await store.ListClustersAsync(ct)).ToDictionary(c => c.Id);

    public ClusterDocument Cluster(ClusterRecord cluster)
    {
        var resources = ClusterCandidates.ParseObject(cluster.Resources);
        var manager = Uri.TryCreate(cluster.ManagerUrl, UriKind.Absolute, out var url) ? url : null;
        var vcpus = Count(resources, ResourceKeys.Vcpus);
        var memory = (long)(ClusterCandidates.Number(resources, ResourceKeys.Memory) ?? 0);
        var cpuPercent = ClusterCandidates.Number(resources, ResourceKeys.CpuPercent) ?? 0;
        return new ClusterDocument
        {
            Id = cluster.Id,
            ClusterName = cluster.Name,
            ClusterLocation = cluster.Location ?? "",
            Active = hub.IsActive(cluster),
            LastSeen = cluster.LastSeen,
            ClockSkewSeconds = hub.ClockSkew(cluster.Id) is { } skew ? Math.Round(skew.TotalSeconds, 1) + 0.0 : null,
            Resources = resources,
            CandidateName = cluster.Name,
            Ip = manager?.Host ?? "",
            Port = manager?.Port ?? 0,
            Vcpus = vcpus,
            Memory = memory,
            CpuPercent = cpuPercent,
            MemoryPercent = ClusterCandidates.Number(resources, ResourceKeys.MemoryPercent) ?? 0,
            Virtualization = ClusterCandidates.Strings(resources, ResourceKeys.Virtualization).ToList(),
            SupportedAddons = ClusterCandidates.Strings(resources, ResourceKeys.SupportedAddons).ToList(),
            CsiDrivers = ClusterCandidates.Strings(resources, ResourceKeys.CsiDrivers).ToList(),
            LastModifiedTimestamp = cluster.LastSeen is { } seen ? seen.ToUnixTimeMilliseconds() / 1000.0 : 0,
            AggregatedCpuPercent = cpuPercent,
            MemoryInMb = memory,
            TotalCpuCores = vcpus,
            TotalGpuCores = Count(resources, ResourceKeys.Vgpus),
            ActiveNodes = Count(resources, ResourceKeys.ActiveNodes),
        };
    }

    public InstanceDocument Instance(InstanceRecord i, IReadOnlyDictionary<string, ClusterRecord> clusters)
    {
        var cluster = ClusterOf(i, clusters);
        var (cpuHistory, memoryHistory) = history.Of(i.ServiceId, i.InstanceNumber);
        return new InstanceDocument
        {
            InstanceNumber = i.InstanceNumber,
            Status = i.Status,
            StatusDetail = i.Deleting ? Join("being removed", i.StatusDetail) : i.StatusDetail,
            ClusterId = i.ClusterId,
            ClusterName = cluster?.Name,
            ClusterLocation = cluster?.Location ?? "",
            WorkerId = i.NodeId,
            NodeName = i.NodeName,
            HostIp = i.HostIp,
            InstanceIp = i.InstanceIp,
            HostPort = int.TryParse(i.HostPort, NumberStyles.None, CultureInfo.InvariantCulture, out var port) ? port : null,
            PublicIp = i.HostIp,
            CpuPercent = InstanceHistory.Text(i.CpuPercent),
            MemoryPercent = InstanceHistory.Text(i.MemoryPercent),
            Cpu = i.CpuPercent,
            Memory = i.Memory,
            CpuHistory = cpuHistory,
            MemoryHistory = memoryHistory,
            Logs = logTails.Of(i.ServiceId, i.InstanceNumber),
            RestartCount = i.RestartCount,
            ExitCode = i.ExitCode,
            Pid = i.Pid,
            StartedAt = i.StartedAt,
            LastModifiedTimestamp = i.UpdatedAt.ToUnixTimeMilliseconds() / 1000.0,
        };
    }

    public async Task<InstanceDetailDocument> InstanceDetailAsync(ServiceRecord service, InstanceRecord i, CancellationToken ct)
    {
        var events = await store.ListInstanceEventsAsync(i.ServiceId, i.InstanceNumber, ct);
        return new InstanceDetailDocument(Instance(i, await ClustersAsync(ct)))
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

    public ServiceInstanceDocument ServiceInstance(ServiceRecord s, InstanceRecord i, IReadOnlyDictionary<string, ClusterRecord> clusters) =>
        new(Instance(i, clusters), s.Id)
        {
            ApplicationId = s.ApplicationId,
            ServiceName = s.ServiceName,
            JobName = s.JobName,
        };

    private static ClusterRecord? ClusterOf(InstanceRecord i, IReadOnlyDictionary<string, ClusterRecord> clusters) =>
        i.ClusterId is { } id ? clusters.GetValueOrDefault(id) : null;

    /// <summary>Oakestra's clients read these as integers: a fractional aggregate is rounded.</summary>
    private static int Count(JsonObject resources, string key) => (int)Math.Round(ClusterCandidates.Number(resources, key) ?? 0);

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

    private ServiceDocument Service(ServiceRecord s, IReadOnlyList<InstanceRecord> instances, IReadOnlyDictionary<string, ClusterRecord> clusters)
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
            ApplicationName = s.AppName,
            ApplicationNamespace = s.AppNs,
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
            RrIp = s.RrIp,
            RrIpV6 = ms.Addresses?.RrIpV6,
            ClosestIp = s.ClosestIp,
            OneShot = ms.OneShot,
            Privileged = ms.Privileged,
            RestartPolicy = ms.RestartPolicyOrDefault(),
            Constraints = ms.Constraints,
            Instances = s.DesiredInstances,
            Status = status,
            StatusDetail = s.Deleting ? Join("being deleted", detail) : detail,
            InstanceList = instances.Select(i => Instance(i, clusters)).ToList(),
            Extra = extra.Count > 0 ? extra : null,
        };
    }

    private static string Join(string first, string? second) => second is null ? first : $"{first}; {second}";
}
