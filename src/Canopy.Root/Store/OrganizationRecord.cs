namespace Canopy.Root.Store;

/// <summary>An organization (Oakestra's tenant): its applications and services are seen only by its members and the Admins.</summary>
public sealed record OrganizationRecord(string Id, string Name, DateTimeOffset CreatedAt);

/// <summary>A user's roles in one organization.</summary>
public sealed record MembershipRecord(string OrganizationId, string UserName, IReadOnlyList<string> Roles);
