using Canopy.Core.States;

namespace Canopy.Root.Store;

/// <summary>
/// The root's persistent state. SQLite now (<see cref="RootStore"/>), PostgreSQL later: every method that changes
/// desired state is one transaction, and a method that fails has written nothing.
/// </summary>
public interface IRootStore
{
    /// <summary>The value of a setting, created with <paramref name="create"/> (and stored) the first time it is asked for.</summary>
    Task<string> GetOrAddSettingAsync(string key, Func<string> create, CancellationToken ct);

    Task<int> CountUsersAsync(CancellationToken ct);
    Task<UserRecord?> GetUserAsync(string name, CancellationToken ct);
    Task<IReadOnlyList<UserRecord>> ListUsersAsync(CancellationToken ct);

    /// <summary>
    /// Adds a user with their first membership, in one transaction. Throws <see cref="StoreConflictException"/> when the name is
    /// taken; false (nothing written) when the organization is gone.
    /// </summary>
    Task<bool> AddUserAsync(UserRecord user, MembershipRecord membership, CancellationToken ct);

    /// <summary>Password hash and email. False when there is no such user.</summary>
    Task<bool> UpdateUserAsync(UserRecord user, CancellationToken ct);

    /// <summary>Deletes the user and their memberships.</summary>
    Task<bool> DeleteUserAsync(string name, CancellationToken ct);

    Task<IReadOnlyList<OrganizationRecord>> ListOrganizationsAsync(CancellationToken ct);
    Task<OrganizationRecord?> GetOrganizationAsync(string id, CancellationToken ct);
    Task<OrganizationRecord?> FindOrganizationByNameAsync(string name, CancellationToken ct);

    /// <summary>
    /// Adds an organization with its first members, all or nothing. <see cref="StoreConflictException"/> when the name is taken or a
    /// member is not a user.
    /// </summary>
    Task AddOrganizationAsync(OrganizationRecord organization, IReadOnlyList<MembershipRecord> members, CancellationToken ct);

    /// <summary>
    /// New name and, when <paramref name="members"/> is given, exactly these members. False when the organization is gone;
    /// <see cref="StoreConflictException"/> when the name is taken or a member is not a user.
    /// </summary>
    Task<bool> UpdateOrganizationAsync(OrganizationRecord organization, IReadOnlyList<MembershipRecord>? members, CancellationToken ct);

    /// <summary>Deletes it with its memberships. <see cref="StoreConflictException"/> while it still owns applications.</summary>
    Task<bool> DeleteOrganizationAsync(string id, CancellationToken ct);

    /// <summary>The members of one organization, or the memberships of one user (either filter may be null).</summary>
    Task<IReadOnlyList<MembershipRecord>> ListMembershipsAsync(string? organizationId, string? userName, CancellationToken ct);

    /// <summary>Adds the user to the organization or replaces their roles there. False when the user or the organization is gone.</summary>
    Task<bool> SetMembershipAsync(MembershipRecord membership, CancellationToken ct);

    Task<bool> RemoveMembershipAsync(string organizationId, string userName, CancellationToken ct);

    /// <summary>Remembers a revoked token id until it would have expired anyway (expired ones are forgotten here).</summary>
    Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt, DateTimeOffset now, CancellationToken ct);

    Task<bool> IsTokenRevokedAsync(string tokenId, CancellationToken ct);

    /// <summary>
    /// Adds applications with their services, all or nothing. Throws <see cref="StoreConflictException"/> when an owner
    /// already has an application with the same name and namespace.
    /// </summary>
    Task AddApplicationsAsync(IReadOnlyList<(ApplicationRecord Application, IReadOnlyList<ServiceRecord> Services)> applications, CancellationToken ct);

    Task<ApplicationRecord?> GetApplicationAsync(string id, CancellationToken ct);

    /// <summary>All applications, or those of one organization and/or one owner.</summary>
    Task<IReadOnlyList<ApplicationRecord>> ListApplicationsAsync(string? organizationId, string? owner, CancellationToken ct);

    /// <summary>
    /// Changes name, namespace and description, and renames its services' job names with it. False when the application
    /// is gone; <see cref="StoreConflictException"/> when the new name and namespace are taken, or when the application changed
    /// since <paramref name="application"/> was read (its <see cref="ApplicationRecord.Version"/> is not the stored one).
    /// </summary>
    Task<bool> UpdateApplicationAsync(ApplicationRecord application, CancellationToken ct);

    /// <summary>Adds services to an existing application, all or nothing.</summary>
    Task AddServicesAsync(IReadOnlyList<ServiceRecord> services, CancellationToken ct);

    Task<ServiceRecord?> GetServiceAsync(string id, CancellationToken ct);

    /// <summary>All services, or those of one application, in creation order.</summary>
    Task<IReadOnlyList<ServiceRecord>> ListServicesAsync(string? applicationId, CancellationToken ct);

    /// <summary>Every service's id and service IPs: what allocating a new address needs, without reading whole services.</summary>
    Task<IReadOnlyList<(string ServiceId, string? RrIp, string? ClosestIp)>> ListServiceIpsAsync(CancellationToken ct);

    /// <summary>
    /// Replaces the microservice JSON, the resource request and the desired count. False when the service is gone;
    /// <see cref="StoreConflictException"/> when it changed since <paramref name="service"/> was read (its version is not the stored one).
    /// </summary>
    Task<bool> UpdateServiceAsync(ServiceRecord service, CancellationToken ct);

    /// <summary>
    /// A new instance in <c>REQUESTED</c> with the service's next number, and the desired count raised to the number of
    /// instances not being removed. Null when the service is gone or being deleted.
    /// </summary>
    Task<InstanceRecord?> AddInstanceAsync(string serviceId, DateTimeOffset now, CancellationToken ct);

    /// <summary>
    /// <see cref="AddInstanceAsync"/> <paramref name="count"/> times in one transaction (a scale to 1,000 is one commit, not 1,000):
    /// consecutive numbers from the service's next one. Empty when the service is gone or being deleted.
    /// </summary>
    Task<IReadOnlyList<InstanceRecord>> AddInstancesAsync(string serviceId, int count, DateTimeOffset now, CancellationToken ct);

    Task<InstanceRecord?> GetInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct);

    /// <summary>All instances, or those of one service, by service then number.</summary>
    Task<IReadOnlyList<InstanceRecord>> ListInstancesAsync(string? serviceId, CancellationToken ct);

    Task<IReadOnlyList<InstanceRecord>> ListInstancesOnClusterAsync(string clusterId, CancellationToken ct);

    /// <summary>
    /// Whether any instance not being deleted is in one of <paramref name="statuses"/>: the scheduler's question before it reads
    /// every instance (it is woken by every cluster's heartbeat, and mostly nothing waits).
    /// </summary>
    Task<bool> AnyInstanceInAsync(IReadOnlyCollection<InstanceStatus> statuses, CancellationToken ct);

    /// <summary>
    /// Read-modify-write of one instance, atomic with every other write. <paramref name="change"/> returns the new record,
    /// or null to leave it as it is. Returns what is stored afterwards (null when there is no such instance).
    /// </summary>
    Task<InstanceRecord?> UpdateInstanceAsync(string serviceId, int instanceNumber, Func<InstanceRecord, InstanceRecord?> change, CancellationToken ct);

    /// <summary>
    /// <see cref="UpdateInstanceAsync"/> for a status its cluster reports again anyway (its <c>hello</c> after every reconnect carries
    /// every instance's): the commit does not wait for the disk, so a deploy's way back is not one fsync per status.
    /// </summary>
    Task<InstanceRecord?> UpdateReportedInstanceAsync(string serviceId, int instanceNumber, Func<InstanceRecord, InstanceRecord?> change, CancellationToken ct);

    /// <summary>Refreshes the metrics of instances placed on <paramref name="clusterId"/>, in one transaction; others are left alone.</summary>
    Task UpdateMetricsAsync(string clusterId, IReadOnlyList<InstanceMetricsSample> samples, CancellationToken ct);

    /// <summary>
    /// Marks an application (all its services), a service (all its instances) or some instances of a service for deletion.
    /// Instances for which <paramref name="heldByCluster"/> is false are deleted at once; a service or application marked
    /// for deletion that is left empty is deleted too.
    /// </summary>
    Task<DeletionOutcome> MarkForDeletionAsync(
        string? applicationId, string? serviceId, IReadOnlyCollection<int>? instanceNumbers,
        Func<InstanceRecord, bool> heldByCluster, CancellationToken ct);

    /// <summary>Deletes one instance record (its cluster confirmed it is gone), then its service and application if they are marked and empty.</summary>
    Task<DeletionOutcome> RemoveInstanceAsync(string serviceId, int instanceNumber, CancellationToken ct);

    /// <summary>
    /// The instance's recent events, oldest first (at most 50). Every change of its status or status detail adds one in the
    /// same transaction; they go with the instance.
    /// </summary>
    Task<IReadOnlyList<InstanceEventRecord>> ListInstanceEventsAsync(string serviceId, int instanceNumber, CancellationToken ct);

    /// <summary>
    /// Stores a fleet event that is not an instance transition (those are stored with the transition): a node or a cluster came or
    /// went. Answers it with its id.
    /// </summary>
    Task<Contracts.Api.EventDocument> AddEventAsync(Contracts.Api.EventDocument e, CancellationToken ct);

    /// <summary>Fleet events, oldest first: the newest <see cref="EventQuery.Limit"/> that match, or the first ones when paging forward.</summary>
    Task<IReadOnlyList<StoredEvent>> ListEventsAsync(EventQuery query, CancellationToken ct);

    /// <summary>The id of the newest fleet event; 0 when there is none.</summary>
    Task<long> LastEventIdAsync(CancellationToken ct);

    /// <summary>Each cluster's liveness as the event stream last told it (<c>active</c>/<c>inactive</c>), by cluster id.</summary>
    Task<IReadOnlyDictionary<string, string>> LatestClusterLivenessAsync(CancellationToken ct);

    Task<ClusterRecord?> FindClusterByNameAsync(string name, CancellationToken ct);

    /// <summary>
    /// Adds a new cluster and counts one use of the created join token it came with (<paramref name="joinTokenId"/>; null for the
    /// static token), in one transaction. Null when that token has no use left; <see cref="StoreConflictException"/> when the name is taken.
    /// </summary>
    Task<ClusterRecord?> AddClusterAsync(ClusterRecord cluster, string? joinTokenId, CancellationToken ct);

    /// <summary>
    /// A registered cluster registering again: its new link credential, location and URL; <paramref name="secretHash"/> is bound
    /// when it has no secret yet. Null when the cluster is gone or another secret is bound to it.
    /// </summary>
    Task<ClusterRecord?> RenewClusterAsync(
        string id, string? location, string? managerUrl, string credentialHash, string secretHash, CancellationToken ct);

    Task<ClusterRecord?> GetClusterAsync(string id, CancellationToken ct);
    Task<IReadOnlyList<ClusterRecord>> ListClustersAsync(CancellationToken ct);
    Task UpdateClusterResourcesAsync(string id, string resources, DateTimeOffset seen, CancellationToken ct);

    /// <summary>The node subnet blocks (CIDR) granted to the cluster, oldest first.</summary>
    Task<IReadOnlyList<string>> ListSubnetBlocksAsync(string clusterId, CancellationToken ct);

    /// <summary>
    /// Grants the cluster the lowest free node subnet block when <paramref name="wanted"/> (given how many it has) says so, in one
    /// transaction: a block is never granted twice.
    /// </summary>
    Task<SubnetBlockGrant> GrantSubnetBlockAsync(string clusterId, Func<int, bool> wanted, DateTimeOffset now, CancellationToken ct);

    Task AddJoinTokenAsync(JoinTokenRecord token, CancellationToken ct);

    /// <summary>The token of <paramref name="kind"/> whose secret hashes to <paramref name="secretHash"/>, revoked and expired ones too.</summary>
    Task<JoinTokenRecord?> FindJoinTokenAsync(string kind, string secretHash, CancellationToken ct);

    Task<IReadOnlyList<JoinTokenRecord>> ListJoinTokensAsync(string kind, CancellationToken ct);

    /// <summary>Marks the token revoked (again is fine); null when there is no such token.</summary>
    Task<JoinTokenRecord?> RevokeJoinTokenAsync(string kind, string id, CancellationToken ct);
}
