namespace Canopy.Root;

/// <summary>
/// What the first start did about the Admin user, for the CLI to print. <see cref="InitialPassword"/> is set only on the
/// start that created the user with a generated password (also written to <see cref="PasswordFile"/>, mode 0600).
/// </summary>
public sealed class AdminBootstrap
{
    public string UserName { get; init; } = "Admin";
    public string? InitialPassword { get; init; }
    public required string PasswordFile { get; init; }
}
