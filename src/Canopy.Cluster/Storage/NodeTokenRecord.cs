namespace Canopy.Cluster.Storage;

/// <summary>A node join token created through the root; the cluster keeps only the SHA-256 of its secret.</summary>
internal sealed record NodeTokenRecord
{
    public required string Id { get; init; }
    public required string SecretHash { get; init; }
    public string? Description { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool Revoked { get; init; }

    /// <summary>How many nodes it may register; null = no limit.</summary>
    public int? MaxUses { get; init; }

    /// <summary>How many it registered.</summary>
    public int Uses { get; init; }

    public bool UsedUp => MaxUses is { } max && Uses >= max;
}
