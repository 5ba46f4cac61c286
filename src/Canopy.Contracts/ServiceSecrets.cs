using System.Text;

namespace Canopy.Contracts;

/// <summary>
/// The secret values a service's instances need, resolved by the root at placement and sent inside the deploy (root → cluster →
/// node). Never written to disk in this form (a tier keeps <see cref="ServiceSpec.SealedSecrets"/> instead) and never printed:
/// <see cref="ToString"/> of these records names no value, so a spec or deploy message in a log line shows none.
/// </summary>
public sealed record ServiceSecrets
{
    /// <summary>Credentials for the registry of the service's image (<c>registry_secret</c>).</summary>
    public RegistryCredential? Registry { get; init; }

    public IReadOnlyList<SecretValue> Environment { get; init; } = [];

    /// <summary><see cref="SecretValue.Target"/> is the absolute path inside the instance.</summary>
    public IReadOnlyList<SecretValue> Files { get; init; } = [];

    public bool IsEmpty => Registry is null && Environment.Count == 0 && Files.Count == 0;

    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append("Registry = ").Append(Registry?.Host ?? "none")
            .Append(", Environment = [").AppendJoin(", ", Environment.Select(e => e.Target))
            .Append("], Files = [").AppendJoin(", ", Files.Select(f => f.Target)).Append("], values redacted");
        return true;
    }
}

/// <summary>A user name and password for one registry host.</summary>
public sealed record RegistryCredential(string Host, string Username, string Password)
{
    public override string ToString() => $"RegistryCredential {{ Host = {Host}, values redacted }}";
}

/// <summary>A secret value and where it goes: an environment variable's name or a file's path.</summary>
public sealed record SecretValue(string Target, string Value)
{
    public override string ToString() => $"SecretValue {{ Target = {Target}, value redacted }}";
}
