using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.Hosting;
using Canopy.Root.Store;
using Canopy.Root.Vault;

namespace Canopy.Root.Deployments;

internal sealed partial class DeploymentService
{
    /// <summary>How long a rollout waits for a replacement to run before it moves on to the next instance.</summary>
    private static readonly TimeSpan ReplacementWait = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan ReplacementPoll = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// <c>PUT /api/service/{id}</c> (Oakestra answers 501): merges the given microservice fields into the stored ones, checks
    /// the result like a descriptor, stores it, and replaces the running instances one by one when what they run changed.
    /// </summary>
    public Task<ServiceRecord> UpdateServiceAsync(ClaimsPrincipal user, string serviceId, string json, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            var service = await LiveServiceAsync(user, serviceId, ct);
            var patch = ParsePatch(json);
            var merged = JsonNode.Parse(service.Microservice)!.AsObject();
            var errors = new List<string>();
            foreach (var (key, value) in patch)
            {
                if (key is "microservice_name" or "microservice_namespace" &&
                    value?.ToString() != merged[key]?.ToString())
                {
                    errors.Add($"{key}: cannot be changed; create a new service instead");
                }
                else if (key != "microserviceID")
                {
                    merged[key] = value?.DeepClone();
                }
            }

            if (errors.Count > 0)
            {
                throw ApiProblem.BadRequest(errors[0], errors);
            }

            var typed = Check(merged);
            exec.Check(user, [("microservice", typed)]);
            await CheckSecretsAsync(SecretScopes.Of(service), [(typed, "")], ct);
            var addresses = new ServiceAddresses(await TakenServiceIpsAsync(service.Id, ct), [typed.Addresses]);
            var ips = addresses.Resolve(typed.Addresses, "microservice") ?? throw ServiceAddresses.Problem(addresses.Refusals);
            SetRrIp(merged, ips.RrIp);
            var updated = service with
            {
                Microservice = merged.ToJsonString(),
                RrIp = ips.RrIp,
                ClosestIp = ips.ClosestIp,
                Vcpus = typed.Vcpus,
                MemoryMb = typed.Memory,
                DesiredInstances = patch.ContainsKey("instances") ? typed.InstancesOrDefault() : service.DesiredInstances,
            };
            var running = (await store.ListInstancesAsync(service.Id, ct)).Where(i => !i.Deleting).Select(i => i.InstanceNumber).ToList();
            await store.UpdateServiceAsync(updated, ct);
            if (patch.ContainsKey("instances") && service.NextInstanceNumber > 0)
            {
                await ScaleCoreAsync(updated, updated.DesiredInstances, ct);
            }

            var changed = JsonSerializer.Serialize(ServiceSpecs.Build(service), CanopyJson.Options) !=
                          JsonSerializer.Serialize(ServiceSpecs.Build(updated), CanopyJson.Options);
            if (changed && running.Count > 0)
            {
                StartRollout(updated, running);
            }

            return await store.GetServiceAsync(service.Id, ct) ?? updated;
        }, ct);

    private static JsonObject ParsePatch(string json)
    {
        try
        {
            return JsonNode.Parse(JsonLastWins.Normalize(json)) as JsonObject
                ?? throw ApiProblem.BadRequest("The request body must be a JSON object of microservice fields.");
        }
        catch (JsonException e)
        {
            throw ApiProblem.BadRequest($"The request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The merged microservice as Core's parser reads it; every error is named by its field.</summary>
    private static SlaMicroservice Check(JsonObject merged)
    {
        var candidate = merged.DeepClone().AsObject();

        // The stored copy carries its id; the rules want it empty, as in a new descriptor.
        candidate["microserviceID"] = "";
        var result = SlaParser.ParseMicroservice(JsonSerializer.SerializeToElement(candidate));
        return result.IsValid && result.Microservice is { } ms
            ? ms
            : throw SlaIntake.Invalid(result.Errors.Select(e => e.ToString()).DefaultIfEmpty("the microservice is not valid").ToList());
    }

    private void StartRollout(ServiceRecord service, IReadOnlyList<int> instances)
    {
        CancelRollout(service.Id);
        var cts = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        _rollouts[service.Id] = cts;
        Updated(service.JobName, instances.Count);
        _ = Task.Run(() => RollAsync(service.Id, instances, cts), CancellationToken.None);
    }

    private void CancelRollout(string serviceId)
    {
        if (_rollouts.TryRemove(serviceId, out var previous))
        {
            try
            {
                previous.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // That rollout had just finished.
            }
        }
    }

    /// <summary>Undeploys one old instance, asks for its replacement, waits until the replacement runs (or gives up waiting), then the next.</summary>
    private async Task RollAsync(string serviceId, IReadOnlyList<int> instances, CancellationTokenSource cts)
    {
        var ct = cts.Token;
        try
        {
            foreach (var number in instances)
            {
                var replacement = await GatedAsync(async () =>
                {
                    var service = await store.GetServiceAsync(serviceId, ct);
                    var old = await store.GetInstanceAsync(serviceId, number, ct);
                    if (service is null || service.Deleting || old is null || old.Deleting)
                    {
                        return null;
                    }

                    SendUndeploys(await store.MarkForDeletionAsync(null, serviceId, [number], InstanceRules.HeldByCluster, ct));
                    var added = await store.AddInstanceAsync(serviceId, time.GetUtcNow(), ct);
                    if (added is not null)
                    {
                        metrics.Requested(serviceId, service.JobName, added.InstanceNumber);
                    }

                    scheduler.Wake();
                    return added;
                }, ct);
                if (replacement is not null)
                {
                    await WaitUntilSettledAsync(serviceId, replacement.InstanceNumber, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // A newer update or a delete took over, or the root stops.
        }
        catch (Exception e)
        {
            RolloutFailed(e, serviceId);
        }
        finally
        {
            _rollouts.TryRemove(new KeyValuePair<string, CancellationTokenSource>(serviceId, cts));
            cts.Dispose();
        }
    }

    private async Task WaitUntilSettledAsync(string serviceId, int number, CancellationToken ct)
    {
        var deadline = time.GetUtcNow() + ReplacementWait;
        var status = InstanceStatus.Requested;
        while (time.GetUtcNow() < deadline)
        {
            var instance = await store.GetInstanceAsync(serviceId, number, ct);
            if (instance is null)
            {
                return;
            }

            status = instance.Status;
            if (status is InstanceStatus.Running or InstanceStatus.Completed or InstanceStatus.Failed or InstanceStatus.Dead ||
                status.IsTerminal() || status.IsNegativeScheduling())
            {
                return;
            }

            await Task.Delay(ReplacementPoll, time, ct);
        }

        RolloutSlow(serviceId, number, ReplacementWait.TotalSeconds, status.ToWireName());
    }
}
