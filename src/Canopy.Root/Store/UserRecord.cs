namespace Canopy.Root.Store;

/// <summary>
/// A user of the public API. <see cref="PasswordHash"/> is in <c>Auth.PasswordHasher</c>'s format, never the password. Roles are
/// not the user's but a membership's (<see cref="MembershipRecord"/>): the same user may hold other roles in another organization.
/// </summary>
public sealed record UserRecord(string Name, string PasswordHash, string? Email, DateTimeOffset CreatedAt);
