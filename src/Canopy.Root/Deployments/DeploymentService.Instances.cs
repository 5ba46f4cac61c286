using System.Security.Claims;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;

namespace Canopy.Root.Deployments;

internal sealed partial class DeploymentService
{
    /// <summary>
    /// <c>POST /api/service/{id}/instance</c>: one more instance, next number, placed at once by the scheduler. Not behind the gate:
    /// it decides no count and no address, and the store takes the number and checks that the service is not being deleted in one
    /// transaction, so deploys of many services commit together instead of one after another.
    /// </summary>
    public async Task<InstanceRecord> AddInstanceAsync(ClaimsPrincipal user, string serviceId, CancellationToken ct)
    {
        var service = await LiveServiceAsync(user, serviceId, ct);
        exec.Check(user, service);
        var instance = await store.AddInstanceAsync(service.Id, time.GetUtcNow(), ct)
            ?? throw ApiProblem.Conflict($"service '{serviceId}' is being deleted");
        InstanceRequested(service.JobName, instance.InstanceNumber);
        metrics.Requested(service.Id, service.JobName, instance.InstanceNumber);
        scheduler.Wake();
        relay.Changed();
        return instance;
    }

    /// <summary><c>DELETE /api/service/{id}/instance/{n}</c>: the record goes when its cluster confirms, or at once if none holds it.</summary>
    public Task<bool> RemoveInstanceAsync(ClaimsPrincipal user, string serviceId, int instanceNumber, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            var service = await store.ServiceAsync(serviceId, user, ct);
            _ = await store.GetInstanceAsync(service.Id, instanceNumber, ct)
                ?? throw ApiProblem.NotFound($"service '{serviceId}' has no instance {instanceNumber}");
            var outcome = await store.MarkForDeletionAsync(null, service.Id, [instanceNumber], InstanceRules.HeldByCluster, ct);
            SendUndeploys(outcome);
            DeletionRequested("Instance", $"{serviceId}/{instanceNumber}", outcome.AwaitingUndeploy.Count);
            return outcome.AwaitingUndeploy.Count == 0;
        }, ct);

    /// <summary><c>PUT /api/v1/services/{id}/scale</c>: adds instances, or removes the highest-numbered ones, to reach <paramref name="count"/>.</summary>
    public Task<ServiceRecord> ScaleAsync(ClaimsPrincipal user, string serviceId, int count, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            if (count is < 0 or > MaxInstances)
            {
                throw ApiProblem.BadRequest($"instances: must be between 0 and {MaxInstances}", [$"instances: {count} is out of range"]);
            }

            var service = await LiveServiceAsync(user, serviceId, ct);
            if (count > 0)
            {
                exec.Check(user, service);
            }

            await ScaleCoreAsync(service, count, ct);
            return await store.GetServiceAsync(service.Id, ct) ?? throw ApiProblem.NotFound($"service '{serviceId}' not found");
        }, ct);

    /// <summary><c>DELETE /api/service/{id}</c></summary>
    public Task<DeletionOutcome> DeleteServiceAsync(ClaimsPrincipal user, string serviceId, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            var service = await store.ServiceAsync(serviceId, user, ct);
            CancelRollout(service.Id);
            var outcome = await store.MarkForDeletionAsync(null, service.Id, null, InstanceRules.HeldByCluster, ct);
            SendUndeploys(outcome);
            DeletionRequested("Service", serviceId, outcome.AwaitingUndeploy.Count);
            return outcome;
        }, ct);

    /// <summary><c>DELETE /api/application/{id}</c>: all its services and their instances.</summary>
    public Task<DeletionOutcome> DeleteApplicationAsync(ClaimsPrincipal user, string applicationId, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            var application = await store.ApplicationAsync(applicationId, user, ct);
            foreach (var service in await store.ListServicesAsync(application.Id, ct))
            {
                CancelRollout(service.Id);
            }

            var outcome = await store.MarkForDeletionAsync(application.Id, null, null, InstanceRules.HeldByCluster, ct);
            SendUndeploys(outcome);
            DeletionRequested("Application", applicationId, outcome.AwaitingUndeploy.Count);
            return outcome;
        }, ct);

    private async Task ScaleCoreAsync(ServiceRecord service, int count, CancellationToken ct)
    {
        var live = (await store.ListInstancesAsync(service.Id, ct)).Where(i => !i.Deleting).OrderBy(i => i.InstanceNumber).ToList();
        if (live.Count < count)
        {
            foreach (var added in await store.AddInstancesAsync(service.Id, count - live.Count, time.GetUtcNow(), ct))
            {
                InstanceRequested(service.JobName, added.InstanceNumber);
                metrics.Requested(service.Id, service.JobName, added.InstanceNumber);
            }
        }

        if (live.Count > count)
        {
            var surplus = live.OrderByDescending(i => i.InstanceNumber).Take(live.Count - count).Select(i => i.InstanceNumber).ToList();
            SendUndeploys(await store.MarkForDeletionAsync(null, service.Id, surplus, InstanceRules.HeldByCluster, ct));
        }

        // Adding and removing keep the desired count in step; scaling to the count it already has must still record it.
        if (await store.GetServiceAsync(service.Id, ct) is { } current && current.DesiredInstances != count)
        {
            await store.UpdateServiceAsync(current with { DesiredInstances = count }, ct);
        }

        Scaled(service.JobName, count);
        scheduler.Wake();
    }

    private async Task<ServiceRecord> LiveServiceAsync(ClaimsPrincipal user, string serviceId, CancellationToken ct)
    {
        var service = await store.ServiceAsync(serviceId, user, ct);
        return service.Deleting ? throw ApiProblem.Conflict($"service '{serviceId}' is being deleted") : service;
    }
}
