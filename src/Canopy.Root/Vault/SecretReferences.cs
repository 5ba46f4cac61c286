using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.Descriptors;

namespace Canopy.Root.Vault;

/// <summary>How a microservice's <c>registry_secret</c> and <c>secrets</c> meet the stored secrets: the problems, and the values.</summary>
internal static class SecretReferences
{
    public static List<string> Problems(SlaMicroservice ms, string path, IReadOnlyDictionary<string, SecretRecord> known)
    {
        var errors = new List<string>();
        var prefix = path.Length == 0 ? "" : path + ".";
        if (ms.RegistrySecret is { } registryName)
        {
            var field = prefix + "registry_secret";
            if (!known.TryGetValue(registryName, out var registry))
            {
                errors.Add($"{field}: secret '{registryName}' does not exist; create it with canopy secret create {registryName} --registry HOST --username USER --password-stdin");
            }
            else if (registry.Kind != SecretKinds.Registry)
            {
                errors.Add($"{field}: secret '{registryName}' is key/value data, not a registry login; create one with canopy secret create NAME --registry HOST ...");
            }
            else if (ImageHosts.Of(ms.Code) is var imageHost && imageHost != registry.RegistryHost)
            {
                errors.Add($"{field}: secret '{registryName}' is a login for {registry.RegistryHost}, but code pulls from {imageHost}; " +
                           "a login is only sent to its own registry");
            }
        }

        for (var i = 0; i < (ms.Secrets?.Count ?? 0); i++)
        {
            var reference = ms.Secrets![i];
            var field = $"{prefix}secrets[{i}]";
            if (!known.TryGetValue(reference.Name, out var secret))
            {
                errors.Add($"{field}.name: secret '{reference.Name}' does not exist; create it with canopy secret create {reference.Name} --from-literal KEY=VALUE");
            }
            else if (secret.Kind != SecretKinds.Generic)
            {
                errors.Add($"{field}.name: secret '{reference.Name}' is a registry login; name it in registry_secret, not in secrets");
            }
            else if (reference.Key is { } key && !secret.Keys.Contains(key))
            {
                errors.Add($"{field}.key: secret '{reference.Name}' has no key '{key}'; its keys: {string.Join(", ", secret.Keys)}");
            }
            else if (reference.Key is null && secret.Keys.Count != 1)
            {
                errors.Add($"{field}.key: secret '{reference.Name}' has {secret.Keys.Count} keys ({string.Join(", ", secret.Keys)}); name one with \"key\"");
            }
        }

        return errors;
    }

    /// <summary>The values; call after <see cref="Problems"/> found none.</summary>
    public static ServiceSecrets Resolve(SlaMicroservice ms, IReadOnlyDictionary<string, SecretRecord> known, Func<SecretRecord, SecretPayload> open)
    {
        RegistryCredential? registry = null;
        if (ms.RegistrySecret is { } registryName)
        {
            var record = known[registryName];
            var login = open(record).Data;
            registry = new RegistryCredential(record.RegistryHost!, login[SecretPayload.Username], login[SecretPayload.Password]);
        }

        var environment = new List<SecretValue>();
        var files = new List<SecretValue>();
        foreach (var reference in ms.Secrets ?? [])
        {
            var record = known[reference.Name];
            var value = open(record).Data[reference.Key ?? record.Keys[0]];
            if (reference.Env is { } env)
            {
                environment.Add(new SecretValue(env, value));
            }
            else
            {
                files.Add(new SecretValue(reference.File!, value));
            }
        }

        return new ServiceSecrets { Registry = registry, Environment = environment, Files = files };
    }
}
