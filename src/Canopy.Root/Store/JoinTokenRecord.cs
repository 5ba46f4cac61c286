namespace Canopy.Root.Store;

/// <summary>A cluster join token; the root keeps only the SHA-256 of its secret.</summary>
public sealed record JoinTokenRecord
{
    public required string Id { get; init; }
    public required string Kind { get; init; }
    public required string SecretHash { get; init; }
    public string? Description { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public bool Revoked { get; init; }

    /// <summary>How many clusters it may register; null = no limit.</summary>
    public int? MaxUses { get; init; }

    /// <summary>How many it registered.</summary>
    public int Uses { get; init; }

    public bool UsedUp => MaxUses is { } max && Uses >= max;
}
