using System.Text;
using Canopy.Contracts.Api;
using Canopy.Core.Descriptors;
using Canopy.Hosting;

namespace Canopy.Root.Vault;

/// <summary>Checks a creation request; every problem is a 400 naming the field (and never echoing a value).</summary>
internal static class SecretRequests
{
    public static (string Kind, SecretPayload Payload, string? Host) Validate(CreateSecretRequest request)
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(request.Name))
        {
            errors.Add("name: is required, e.g. \"registry-login\"");
        }
        else if (!SecretNames.IsValid(request.Name))
        {
            errors.Add("name: " + SecretNames.Problem(request.Name));
        }

        (string, SecretPayload, string?)? result = null;
        if ((request.Data is null) == (request.Registry is null))
        {
            errors.Add(request.Data is null
                ? "data or registry: one is required: \"data\": {\"key\": \"value\"} for key/value secrets, \"registry\": {\"host\", \"username\", \"password\"} for a registry login"
                : "data and registry: give one of them; a secret is either key/value data or a registry login");
        }
        else if (request.Data is { } data)
        {
            CheckData(data, errors);
            result = (SecretKinds.Generic, new SecretPayload(data), null);
        }
        else if (request.Registry is { } registry)
        {
            var host = CheckRegistry(registry, errors);
            result = (SecretKinds.Registry, new SecretPayload(new Dictionary<string, string>
            {
                [SecretPayload.Username] = registry.Username ?? "",
                [SecretPayload.Password] = registry.Password ?? "",
            }), host);
        }

        return errors.Count == 0 && result is { } ok
            ? ok
            : throw ApiProblem.BadRequest($"The secret is not valid: {errors[0]}", errors);
    }

    private static void CheckData(IReadOnlyDictionary<string, string> data, List<string> errors)
    {
        if (data.Count is 0 or > SecretVault.MaxKeys)
        {
            errors.Add($"data: needs 1 to {SecretVault.MaxKeys} keys, got {data.Count}");
        }

        foreach (var (key, value) in data)
        {
            if (!SecretNames.IsValid(key))
            {
                errors.Add($"data: key {SecretNames.Problem(key).Replace("secret name", "key", StringComparison.Ordinal)}");
            }
            else if (value is null)
            {
                errors.Add($"data.{key}: needs a string value");
            }
            else if (Encoding.UTF8.GetByteCount(value) > SecretVault.MaxValueBytes)
            {
                errors.Add($"data.{key}: is larger than {SecretVault.MaxValueBytes / 1024} KiB");
            }
        }
    }

    private static string? CheckRegistry(RegistryLogin registry, List<string> errors)
    {
        var host = registry.Host?.Trim();
        if (string.IsNullOrEmpty(host))
        {
            errors.Add("registry.host: is required: the registry as image references name it, e.g. \"registry.example.com\" or \"127.0.0.1:5001\"");
        }
        else if (host.Contains("://", StringComparison.Ordinal) || host.Contains('/') || host.Any(char.IsWhiteSpace))
        {
            errors.Add($"registry.host: \"{host}\" is not a registry host; write it as image references name it, without scheme or path, e.g. \"registry.example.com:5000\"");
        }

        if (string.IsNullOrEmpty(registry.Username))
        {
            errors.Add("registry.username: is required");
        }

        if (string.IsNullOrEmpty(registry.Password))
        {
            errors.Add("registry.password: is required");
        }

        return host is null ? null : ImageHosts.Normalize(host);
    }
}
