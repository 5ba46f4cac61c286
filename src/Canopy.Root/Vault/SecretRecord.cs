namespace Canopy.Root.Vault;

/// <summary>
/// A stored secret: name, kind, key names and registry host in clear (they are shown); the values only as
/// <see cref="SealedValue"/> (<see cref="SecretPayload"/> encrypted with the root's secrets key).
/// </summary>
public sealed record SecretRecord
{
    /// <summary>Whose it is (see <see cref="SecretScopes"/>).</summary>
    public required string Scope { get; init; }

    public required string Name { get; init; }
    public required string Kind { get; init; }
    public IReadOnlyList<string> Keys { get; init; } = [];
    public string? RegistryHost { get; init; }
    public required string SealedValue { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }

    public override string ToString() => $"SecretRecord {{ Scope = {Scope}, Name = {Name}, Kind = {Kind}, values sealed }}";
}

/// <summary>What is sealed: the values by key (a registry credential's are <c>username</c> and <c>password</c>).</summary>
internal sealed record SecretPayload(IReadOnlyDictionary<string, string> Data)
{
    public const string Username = "username";
    public const string Password = "password";

    public override string ToString() => "SecretPayload { values redacted }";
}
