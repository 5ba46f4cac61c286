namespace Canopy.Root.Store;

/// <summary>
/// A service (Oakestra "job"): the SLA microservice as given (<see cref="Microservice"/>, JSON, unknown fields kept)
/// plus what the root keeps beside it.
/// </summary>
public sealed record ServiceRecord
{
    public required string Id { get; init; }
    public required string ApplicationId { get; init; }

    /// <summary>Owner of the application (copied so that access checks need no join).</summary>
    public required string Owner { get; init; }

    /// <summary>The application's organization (copied for the same reason).</summary>
    public required string OrganizationId { get; init; }

    public required string AppName { get; init; }
    public required string AppNs { get; init; }
    public required string ServiceName { get; init; }
    public required string ServiceNs { get; init; }
    public required string JobName { get; init; }

    /// <summary>The SLA microservice object, JSON text, with <c>microserviceID</c> and <c>addresses.rr_ip</c> filled in.</summary>
    public required string Microservice { get; init; }

    public string? RrIp { get; init; }

    /// <summary>The closest-instance service IP, when the SLA named one (<c>addresses.closest_ip</c>); no other service has it.</summary>
    public string? ClosestIp { get; init; }

    /// <summary>What one instance asks for (copied from the SLA for reservations).</summary>
    public double Vcpus { get; init; }

    public int MemoryMb { get; init; }

    public int DesiredInstances { get; init; }

    /// <summary>Instance numbers are never reused within a service.</summary>
    public int NextInstanceNumber { get; init; }

    public bool Deleting { get; init; }
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>
    /// Bumped by every change of the record: an update based on an older version is refused (optimistic concurrency), so two
    /// writers never silently overwrite each other. 1 for a new record.
    /// </summary>
    public int Version { get; init; } = 1;
}
