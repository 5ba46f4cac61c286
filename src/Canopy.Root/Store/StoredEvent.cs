using Canopy.Contracts.Api;

namespace Canopy.Root.Store;

/// <summary>A fleet event as stored: the document readers get, and whose workload it was (null for node and cluster events).</summary>
public sealed record StoredEvent(EventDocument Event, string? OrganizationId);
