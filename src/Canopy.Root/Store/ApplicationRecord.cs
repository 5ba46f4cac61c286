namespace Canopy.Root.Store;

/// <summary>An application: a named group of services owned by one user.</summary>
public sealed record ApplicationRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public required string Namespace { get; init; }
    public string? Description { get; init; }

    /// <summary>User name of the owner.</summary>
    public required string Owner { get; init; }

    /// <summary>The organization the owner created it in (from their token); its members see it, nobody else but Admins.</summary>
    public required string OrganizationId { get; init; }

    /// <summary>Set by DELETE: the record goes once its last service has.</summary>
    public bool Deleting { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Bumped by every change of the record: an update based on an older version is refused (optimistic concurrency), so two
    /// writers never silently overwrite each other. 1 for a new record.
    /// </summary>
    public int Version { get; init; } = 1;
}
