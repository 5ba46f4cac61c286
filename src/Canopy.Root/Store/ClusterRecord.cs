namespace Canopy.Root.Store;

/// <summary>A registered cluster. Whether it is active is not stored: it depends on its live link (see <c>ClusterLinks.LinkHub</c>).</summary>
public sealed record ClusterRecord
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public string? Location { get; init; }
    public string? ManagerUrl { get; init; }

    /// <summary>SHA-256 of the link credential, hex.</summary>
    public required string CredentialHash { get; init; }

    /// <summary>SHA-256 of the cluster's own secret, which it must show to register its name again; null for a cluster registered before secrets existed.</summary>
    public string? SecretHash { get; init; }

    public DateTimeOffset RegisteredAt { get; init; }

    /// <summary>When the last <c>resources</c> message came.</summary>
    public DateTimeOffset? LastSeen { get; init; }

    /// <summary>The last aggregate, JSON object text.</summary>
    public string Resources { get; init; } = "{}";
}
