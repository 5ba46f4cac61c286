using System.Text.Json;

namespace Canopy.Core.Descriptors;

/// <summary>
/// The rules for a microservice's <c>registry_secret</c> and <c>secrets</c> (Canopy additions). Only the form is checked here;
/// whether the named secrets exist, and have the named keys, is the root's call (it knows the caller's secrets).
/// </summary>
internal static class SlaSecretRules
{
    public static void Validate(JsonElement microservice, string path, SlaReader reader)
    {
        if (reader.String(microservice, path, "registry_secret") is { } registry && !SecretNames.IsValid(registry))
        {
            reader.Error(SlaReader.Child(path, "registry_secret"), SecretNames.Problem(registry));
        }

        if (!reader.Array(microservice, path, "secrets", null, out var secrets))
        {
            return;
        }

        var index = 0;
        var targets = new HashSet<string>(StringComparer.Ordinal);
        foreach (var secret in secrets.EnumerateArray())
        {
            var itemPath = SlaReader.Index(SlaReader.Child(path, "secrets"), index++);
            if (reader.IsObject(secret, itemPath, "a secret reference"))
            {
                ValidateReference(secret, itemPath, reader, targets);
            }
        }
    }

    private static void ValidateReference(JsonElement secret, string path, SlaReader reader, HashSet<string> targets)
    {
        if (reader.String(secret, path, "name", "\"db-password\"") is { } name && !SecretNames.IsValid(name))
        {
            reader.Error(SlaReader.Child(path, "name"), SecretNames.Problem(name));
        }

        if (reader.String(secret, path, "key") is { Length: 0 })
        {
            reader.Error(SlaReader.Child(path, "key"), "must not be empty; name one of the secret's keys, or leave it out for a secret with one key");
        }

        var env = reader.String(secret, path, "env");
        var file = reader.String(secret, path, "file");
        var hasEnv = secret.TryGetProperty("env", out _);
        var hasFile = secret.TryGetProperty("file", out _);
        if (hasEnv == hasFile)
        {
            reader.Error(path, hasEnv
                ? "names both env and file; a reference delivers the secret one way: split it into two references"
                : "needs \"env\": \"VARIABLE\" (an environment variable) or \"file\": \"/absolute/path\" (a read-only file)");
        }

        if (env is not null && !SlaMicroserviceRules.IsEnvironmentKey(env))
        {
            reader.Error(SlaReader.Child(path, "env"), $"\"{env}\" is not a valid variable name; start with a letter or _ and use only letters, digits and _");
        }
        else if (env is not null && !targets.Add("env:" + env))
        {
            reader.Error(SlaReader.Child(path, "env"), $"variable {env} is set by an earlier secret reference too; each variable once");
        }

        if (file is not null && FileProblem(file) is { } problem)
        {
            reader.Error(SlaReader.Child(path, "file"), problem);
        }
        else if (file is not null && !targets.Add("file:" + file))
        {
            reader.Error(SlaReader.Child(path, "file"), $"{file} is written by an earlier secret reference too; each file once");
        }

        reader.CheckFields(secret, path, SlaFields.SecretReference);
    }

    /// <summary>An absolute, normalised path: no <c>..</c>, no empty or <c>.</c> segments, not the root and not a directory.</summary>
    internal static string? FileProblem(string file)
    {
        if (!file.StartsWith('/') || file.Length < 2 || file.EndsWith('/'))
        {
            return $"\"{file}\" is not an absolute file path; write e.g. \"/run/secrets/db-password\"";
        }

        var segments = file[1..].Split('/');
        return segments.Any(s => s.Length == 0 || s == "." || s == "..") || file.Any(char.IsControl)
            ? $"\"{file}\" must be a plain absolute path without empty, '.' or '..' parts; write e.g. \"/run/secrets/db-password\""
            : null;
    }
}
