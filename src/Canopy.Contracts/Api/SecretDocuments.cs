namespace Canopy.Contracts.Api;

/// <summary>The kinds of secret: a registry credential (for <c>registry_secret</c>) or key/value data (for <c>secrets</c>).</summary>
public static class SecretKinds
{
    public const string Registry = "registry";
    public const string Generic = "generic";
}

/// <summary>
/// <c>POST /api/v1/secrets</c>: <see cref="Data"/> (key/value pairs) or <see cref="Registry"/>, exactly one. The values are
/// stored encrypted and never answered again.
/// </summary>
public sealed record CreateSecretRequest(string? Name = null, IReadOnlyDictionary<string, string>? Data = null, RegistryLogin? Registry = null);

/// <summary>The registry host (as in the image reference, e.g. <c>registry.example.com:5000</c>) and the login for it.</summary>
public sealed record RegistryLogin(string? Host = null, string? Username = null, string? Password = null)
{
    public override string ToString() => $"RegistryLogin {{ Host = {Host}, values redacted }}";
}

/// <summary>A secret as listed and shown: its name, kind, key names and registry host; never a value.</summary>
public sealed record SecretDocument(
    string Name, string Kind, IReadOnlyList<string> Keys, string? RegistryHost, DateTimeOffset CreatedAt, string? CreatedBy);
