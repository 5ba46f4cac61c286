namespace Canopy.Root.Store;

/// <summary>A user of the public API. <see cref="PasswordHash"/> is in <c>Auth.PasswordHasher</c>'s format, never the password.</summary>
public sealed record UserRecord(string Name, string PasswordHash, IReadOnlyList<string> Roles, string? Email, DateTimeOffset CreatedAt);
