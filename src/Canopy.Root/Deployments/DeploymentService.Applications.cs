using System.Security.Claims;
using System.Text.Json.Nodes;
using Canopy.Contracts.Api;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Canopy.Root.Vault;
using Microsoft.AspNetCore.Http;

namespace Canopy.Root.Deployments;

internal sealed partial class DeploymentService
{
    /// <summary>
    /// <c>POST /api/application/</c>: creates the applications of the descriptor with their services, without instances
    /// (Oakestra's split: instances are asked for separately). Answers the warnings per new application id.
    /// </summary>
    public Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> CreateApplicationsAsync(ClaimsPrincipal user, string json, CancellationToken ct) =>
        GatedAsync<IReadOnlyDictionary<string, IReadOnlyList<string>>>(async () =>
        {
            var intake = SlaIntake.Read(json);
            exec.Check(user, intake.Applications.SelectMany(a => a.Services).Select(s => (s.Path, s.Typed)));
            var owner = user.UserName();
            await CheckSecretsAsync(SecretScopes.Of(user), intake.Applications.SelectMany(a => a.Services).Select(s => (s.Typed, s.Path)), ct);
            var addresses = new ServiceAddresses(
                await TakenServiceIpsAsync(null, ct), intake.Applications.SelectMany(a => a.Services).Select(s => s.Typed.Addresses));
            var now = time.GetUtcNow();
            var batch = new List<(ApplicationRecord, IReadOnlyList<ServiceRecord>)>();
            var warnings = new Dictionary<string, IReadOnlyList<string>>();
            foreach (var a in intake.Applications)
            {
                var application = new ApplicationRecord
                {
                    Id = ObjectIds.New(time),
                    Name = a.Typed.ApplicationName,
                    Namespace = a.Typed.ApplicationNamespace,
                    Description = a.Typed.ApplicationDesc,
                    Owner = owner,
                    OrganizationId = user.OrganizationId(),
                    CreatedAt = now,
                };
                var notes = intake.Warnings
                    .Where(w => w.Path == a.Path || w.Path.StartsWith(a.Path + ".", StringComparison.Ordinal) ||
                                !w.Path.StartsWith("applications[", StringComparison.Ordinal))
                    .Select(w => w.ToString()).ToList();
                var services = a.Services
                    .Select(s => addresses.Resolve(s.Typed.Addresses, s.Path) is { } ips
                        ? NewService(ObjectIds.New(time), application, s.Typed, s.Raw, ips, now)
                        : null)
                    .OfType<ServiceRecord>()
                    .ToList();
                batch.Add((application, services));
                warnings[application.Id] = notes;
            }

            if (addresses.Refusals.Count > 0)
            {
                throw ServiceAddresses.Problem(addresses.Refusals);
            }

            try
            {
                await store.AddApplicationsAsync(batch, ct);
            }
            catch (StoreConflictException e)
            {
                throw ApiProblem.Conflict(e.Message);
            }

            foreach (var (application, services) in batch)
            {
                ApplicationCreated(application.Name, application.Id, owner, services.Count);
                foreach (var note in warnings[application.Id])
                {
                    DescriptorWarning(owner, note);
                }
            }

            return warnings;
        }, ct);

    /// <summary>
    /// <c>POST /api/service/</c>: adds the descriptor's microservices to the existing application its
    /// <c>applications[0].applicationID</c> names. A microservice whose name is taken there fails alone.
    /// </summary>
    public Task<ServiceDeploymentResponse> AddServicesAsync(ClaimsPrincipal user, string json, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            var intake = SlaIntake.Read(json);
            if (intake.Applications.Count == 0)
            {
                throw SlaIntake.Invalid(["applications: one application is expected"]);
            }

            var target = intake.Applications[0];
            if (string.IsNullOrWhiteSpace(target.Typed.ApplicationId))
            {
                throw SlaIntake.Invalid(["applications[0].applicationID: required; it names the application the services join"]);
            }

            var application = await store.ApplicationAsync(target.Typed.ApplicationId, user, ct);
            exec.Check(user, target.Services.Select(s => (s.Path, s.Typed)));
            await CheckSecretsAsync(SecretScopes.Of(application), target.Services.Select(s => (s.Typed, s.Path)), ct);
            if (application.Deleting)
            {
                throw ApiProblem.Conflict($"application '{application.Id}' is being deleted");
            }

            var existing = (await store.ListServicesAsync(application.Id, ct)).Select(s => (s.ServiceName, s.ServiceNs)).ToHashSet();
            var addresses = new ServiceAddresses(await TakenServiceIpsAsync(null, ct), target.Services.Select(s => s.Typed.Addresses));
            var notes = intake.Warnings.Select(w => w.ToString()).ToList();
            var created = new List<ServiceRecord>();
            var deployed = new List<DeployedService>();
            var failed = new List<FailedService>();
            foreach (var s in target.Services)
            {
                if (!existing.Add((s.Typed.MicroserviceName, s.Typed.MicroserviceNamespace)))
                {
                    failed.Add(new FailedService(s.Typed.MicroserviceName,
                        $"application '{application.Name}' already has a service '{s.Typed.MicroserviceName}' in namespace '{s.Typed.MicroserviceNamespace}'",
                        StatusCodes.Status409Conflict));
                    continue;
                }

                if (addresses.Resolve(s.Typed.Addresses, s.Path) is not { } ips)
                {
                    var refusal = addresses.Refusals[^1];
                    failed.Add(new FailedService(s.Typed.MicroserviceName, refusal.Error, refusal.Status));
                    continue;
                }

                created.Add(NewService(ObjectIds.New(time), application, s.Typed, s.Raw, ips, time.GetUtcNow()));
                deployed.Add(new DeployedService(s.Typed.MicroserviceName, StatusCodes.Status200OK));
            }

            await store.AddServicesAsync(created, ct);
            foreach (var service in created)
            {
                ServiceCreated(service.JobName, service.Id);
            }

            foreach (var note in notes)
            {
                DescriptorWarning(application.Owner, note);
            }

            return new ServiceDeploymentResponse(created.LastOrDefault()?.Id, deployed, failed) { Warnings = notes.Count > 0 ? notes : null };
        }, ct);

    /// <summary><c>PUT /api/application/{id}</c>: name, namespace, description; checked with the same rules as a descriptor.</summary>
    public Task<ApplicationRecord> UpdateApplicationAsync(ClaimsPrincipal user, string id, ApplicationUpdateRequest request, CancellationToken ct) =>
        GatedAsync(async () =>
        {
            var application = await store.ApplicationAsync(id, user, ct);
            if (application.Deleting)
            {
                throw ApiProblem.Conflict($"application '{id}' is being deleted");
            }

            var updated = application with
            {
                Name = request.ApplicationName ?? application.Name,
                Namespace = request.ApplicationNamespace ?? application.Namespace,
                Description = request.ApplicationDesc ?? application.Description,
            };
            var sla = new JsonObject
            {
                ["sla_version"] = "v2.0",
                ["customerID"] = application.Owner,
                ["applications"] = new JsonArray(new JsonObject
                {
                    ["application_name"] = updated.Name,
                    ["application_namespace"] = updated.Namespace,
                    ["application_desc"] = updated.Description ?? "",
                    ["microservices"] = new JsonArray(),
                }),
            };
            var check = SlaParser.Parse(sla.ToJsonString());
            if (check.Errors.Count > 0)
            {
                throw SlaIntake.Invalid(check.Errors.Select(e => e.ToString().Replace("applications[0].", "", StringComparison.Ordinal)).ToList());
            }

            try
            {
                return await store.UpdateApplicationAsync(updated, ct) ? updated : throw ApiProblem.NotFound($"application '{id}' not found");
            }
            catch (StoreConflictException e)
            {
                throw ApiProblem.Conflict(e.Message);
            }
        }, ct);
}
