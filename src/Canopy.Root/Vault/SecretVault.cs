using System.Security.Claims;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.Descriptors;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Canopy.Security;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Vault;

/// <summary>
/// The root's secrets: created, listed, shown (never a value) and deleted for the caller's scope; sealed with the root's
/// <see cref="SecretBox"/> before they are stored.
/// </summary>
internal sealed partial class SecretVault(ISecretStore secrets, IRootStore store, SecretBox box, TimeProvider time, ILogger<SecretVault> log)
{
    /// <summary>Far above any credential or certificate; keeps deploy messages small.</summary>
    public const int MaxValueBytes = 64 * 1024;

    public const int MaxKeys = 64;

    public async Task<SecretDocument> CreateAsync(ClaimsPrincipal user, CreateSecretRequest request, CancellationToken ct)
    {
        var (kind, payload, host) = SecretRequests.Validate(request);
        var record = new SecretRecord
        {
            Scope = SecretScopes.Of(user),
            Name = request.Name!,
            Kind = kind,
            Keys = kind == SecretKinds.Generic ? [.. payload.Data.Keys.Order(StringComparer.Ordinal)] : [],
            RegistryHost = host,
            SealedValue = box.Seal(CanopyJson.SerializeToUtf8(payload)),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = user.UserName(),
        };
        try
        {
            await secrets.AddSecretAsync(record, ct);
        }
        catch (StoreConflictException)
        {
            throw ApiProblem.Conflict($"a secret named '{record.Name}' exists; delete it first (canopy secret delete {record.Name}) to replace it");
        }

        Created(record.Name, record.Kind, record.Scope);
        return Document(record);
    }

    public async Task<IReadOnlyList<SecretDocument>> ListAsync(ClaimsPrincipal user, CancellationToken ct) =>
        (await secrets.ListSecretsAsync(SecretScopes.Of(user), ct)).Select(Document).ToList();

    public async Task<SecretDocument> GetAsync(ClaimsPrincipal user, string name, CancellationToken ct) =>
        await secrets.GetSecretAsync(SecretScopes.Of(user), name, ct) is { } record
            ? Document(record)
            : throw NotFound(name);

    /// <summary>Refused (409, naming them) while a service names it: its instances could not be placed again.</summary>
    public async Task<SecretDocument> DeleteAsync(ClaimsPrincipal user, string name, CancellationToken ct)
    {
        var scope = SecretScopes.Of(user);
        var record = await secrets.GetSecretAsync(scope, name, ct) ?? throw NotFound(name);

        var users = (await store.ListServicesAsync(null, ct))
            .Where(s => !s.Deleting && SecretScopes.Of(s) == scope && Names(Deployments.ServiceSpecs.Read(s)).Contains(name))
            .Select(s => s.JobName).ToList();
        if (users.Count > 0)
        {
            throw ApiProblem.Conflict($"secret '{name}' is used by {string.Join(", ", users)}; delete those services or remove the secret from their descriptors first");
        }

        await secrets.DeleteSecretAsync(scope, name, ct);
        Deleted(name, scope);
        return Document(record);
    }

    /// <summary>
    /// Every problem of the secrets the microservices name, with its field path: a missing secret, the wrong kind, a key it lacks,
    /// a registry credential for another host than the image's.
    /// </summary>
    public async Task<IReadOnlyList<string>> CheckReferencesAsync(string scope, IEnumerable<(SlaMicroservice Microservice, string Path)> services, CancellationToken ct)
    {
        var known = (await secrets.ListSecretsAsync(scope, ct)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        var errors = new List<string>();
        foreach (var (ms, path) in services)
        {
            errors.AddRange(SecretReferences.Problems(ms, path, known));
        }

        return errors;
    }

    /// <summary>The values a service's instances need, for its deploy message; null when it names no secret.</summary>
    public async Task<ServiceSecrets?> ResolveAsync(ServiceRecord service, CancellationToken ct)
    {
        var ms = Deployments.ServiceSpecs.Read(service);
        if (ms.RegistrySecret is null && ms.Secrets is not { Count: > 0 })
        {
            return null;
        }

        var known = (await secrets.ListSecretsAsync(SecretScopes.Of(service), ct)).ToDictionary(s => s.Name, StringComparer.Ordinal);
        if (SecretReferences.Problems(ms, "", known) is { Count: > 0 } problems)
        {
            throw new SecretUnavailableException(problems[0]);
        }

        return SecretReferences.Resolve(ms, known, Open);
    }

    /// <summary>
    /// The spec a deploy carries: the service's, with the secret values its instances need. Null (logged) when a secret it
    /// names is gone since the deploy was accepted: the instance is not sent anywhere without it.
    /// </summary>
    public async Task<ServiceSpec?> SpecForDeployAsync(ServiceRecord service, CancellationToken ct)
    {
        try
        {
            return Deployments.ServiceSpecs.Build(service) with { Secrets = await ResolveAsync(service, ct) };
        }
        catch (SecretUnavailableException e)
        {
            Unavailable(service.JobName, e.Message);
            return null;
        }
    }

    private SecretPayload Open(SecretRecord record) =>
        CanopyJson.Deserialize<SecretPayload>(box.Open(record.SealedValue)) ?? throw new InvalidDataException($"secret {record.Name} holds no values");

    internal static HashSet<string> Names(SlaMicroservice ms) =>
        [.. (ms.Secrets ?? []).Select(s => s.Name), .. ms.RegistrySecret is { } r ? [r] : Array.Empty<string>()];

    private static SecretDocument Document(SecretRecord r) => new(r.Name, r.Kind, r.Keys, r.RegistryHost, r.CreatedAt, r.CreatedBy);

    private static ApiProblem NotFound(string name) => ApiProblem.NotFound($"secret '{name}' not found; canopy secret list shows yours");

    [LoggerMessage(EventId = 1801, Level = LogLevel.Information, Message = "Secret {Name} ({Kind}) created for {Scope}")]
    private partial void Created(string name, string kind, string scope);

    [LoggerMessage(EventId = 1803, Level = LogLevel.Warning, Message = "Instances of {JobName} wait: {Problem}")]
    private partial void Unavailable(string jobName, string problem);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Information, Message = "Secret {Name} of {Scope} deleted")]
    private partial void Deleted(string name, string scope);
}

/// <summary>A secret a service names is gone or changed kind since its deploy was accepted; its instance waits.</summary>
internal sealed class SecretUnavailableException(string message) : Exception(message);
