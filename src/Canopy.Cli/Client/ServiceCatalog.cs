using Canopy.Contracts.Api;

namespace Canopy.Cli.Client;

/// <summary>Finds applications and services by id or by name, as users type them.</summary>
public sealed class ServiceCatalog(ApiClient api)
{
    public Task<List<ApplicationDocument>> ApplicationsAsync(CancellationToken ct) =>
        api.GetAsync<List<ApplicationDocument>>("api/applications/", ct);

    public async Task<List<ServiceDocument>> ServicesAsync(CancellationToken ct, string? app = null)
    {
        var apps = await ApplicationsAsync(ct);
        if (app is not null)
        {
            apps = [FindApplication(apps, app)];
        }

        var services = new List<ServiceDocument>();
        foreach (var a in apps)
        {
            services.AddRange(await api.GetAsync<List<ServiceDocument>>($"api/services/{a.ApplicationId}", ct));
        }

        return services;
    }

    public async Task<ApplicationDocument> ApplicationAsync(string nameOrId, CancellationToken ct) =>
        FindApplication(await ApplicationsAsync(ct), nameOrId);

    /// <summary>By id, job name (<c>app.appns.svc.svcns</c>), <c>app.service</c>, or service name when that is unambiguous.</summary>
    public async Task<ServiceDocument> ServiceAsync(string reference, CancellationToken ct)
    {
        var services = await ServicesAsync(ct);
        var matches = services.Where(s =>
            s.MicroserviceId == reference || s.JobName == reference ||
            $"{s.AppName}.{s.MicroserviceName}" == reference).ToList();
        if (matches.Count == 0)
        {
            matches = services.Where(s => s.MicroserviceName == reference || s.ServiceName == reference).ToList();
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"No service '{reference}'. `canopy service list` shows them.", ExitCodes.NotFound),
            _ => throw new CliException(
                $"'{reference}' names {matches.Count} services ({string.Join(", ", matches.Select(m => m.JobName))}); use the job name or the id.",
                ExitCodes.InvalidInput),
        };
    }

    private static ApplicationDocument FindApplication(List<ApplicationDocument> apps, string nameOrId)
    {
        var matches = apps.Where(a => a.ApplicationId == nameOrId || a.ApplicationName == nameOrId ||
                                      $"{a.ApplicationName}.{a.ApplicationNamespace}" == nameOrId).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new CliException($"No application '{nameOrId}'. `canopy app list` shows them.", ExitCodes.NotFound),
            _ => throw new CliException($"'{nameOrId}' names {matches.Count} applications; use name.namespace or the id.", ExitCodes.InvalidInput),
        };
    }
}
