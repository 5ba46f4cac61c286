using Canopy.Core.Scheduling;

namespace Canopy.Root;

/// <summary>Everything the root orchestrator needs, fully resolved by the caller (the CLI layers defaults, file, env and flags).</summary>
public sealed class RootOptions
{
    /// <summary>Holds <c>root.db</c> and <c>admin-password</c>; created when missing.</summary>
    public required string DataDir { get; set; }

    /// <summary>
    /// Where the store lives: empty = <c>root.db</c> in <see cref="DataDir"/>; a <c>postgres://user:password@host:port/database</c>
    /// URL = a PostgreSQL database (replicas share one). See <c>Canopy.Storage.StoreLocation</c>.
    /// </summary>
    public string? Store { get; set; }

    /// <summary>HTTPS with the root's own certificate; <c>http://</c> only with <see cref="InsecureHttp"/>.</summary>
    public string Listen { get; set; } = "https://127.0.0.1:10000";

    /// <summary>Allows an <c>http://</c> <see cref="Listen"/> address on loopback, for clients that speak only HTTP (Oakestra's).</summary>
    public bool InsecureHttp { get; set; }

    /// <summary>With <see cref="InsecureHttp"/>, allows plain HTTP on an address other machines reach too.</summary>
    public bool InsecureHttpOnNetwork { get; set; }

    /// <summary>Lifetime of the API's TLS certificate; it is renewed after two thirds of it.</summary>
    public TimeSpan CertificateLifetime { get; set; } = Security.ServerCertificate.DefaultLifetime;

    /// <summary>How often the root checks whether its certificate is due for renewal.</summary>
    public TimeSpan CertificateCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Extra DNS names or addresses for the API's certificate (a public name, a NAT address); local ones are always in it.</summary>
    public List<string> CertificateNames { get; set; } = [];

    /// <summary>
    /// Every replica's URL of this root (they share one PostgreSQL database), this one's included: registering clusters are told
    /// them (to fail over between them), and their hosts are in each replica's certificate. Empty for a root of one process.
    /// </summary>
    public List<string> ReplicaUrls { get; set; } = [];

    /// <summary>
    /// The data dir of another replica of this root (or a copy of its <c>pki/ca.crt</c>, <c>pki/ca.key</c> and <c>secrets.key</c>):
    /// at its first start this replica takes that CA and secrets key, so join tokens' pins and sealed secrets hold for every replica.
    /// </summary>
    public string? ReplicaOf { get; set; }

    /// <summary>Password of the Admin user created on the very first start; a random one is generated when null.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>Clusters must present it at registration. Empty refuses every cluster.</summary>
    public string ClusterJoinToken { get; set; } = "";

    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>One of <see cref="PlacementAlgorithms.Names"/>.</summary>
    public string SchedulingAlgorithm { get; set; } = PlacementAlgorithms.BestFit;

    /// <summary>How many times its cores a cluster's CPU may be promised to services (SLA vcpus are quotas); memory is never over-committed.</summary>
    public double CpuOvercommit { get; set; } = 4.0;

    /// <summary>A cluster whose last <c>resources</c> message is older than this is inactive.</summary>
    public TimeSpan ClusterHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long a cluster may stay inactive before the root moves its instances to other clusters (when it returns, it is
    /// told to drop what has moved).
    /// </summary>
    public TimeSpan ClusterGracePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many fleet events (<c>GET /api/v1/events</c>) the root keeps; older ones are dropped as new ones come.</summary>
    public int EventsKept { get; set; } = 10_000;

    /// <summary>How often an idle event stream (<c>?follow=true</c>) gets a <c>: keep-alive</c> comment, so proxies keep it open.</summary>
    public TimeSpan EventKeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long a question forwarded to a cluster (logs, nodes) may take.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Browser origins (<c>scheme://host[:port]</c>) whose pages may call the API, such as Oakestra's dashboard served from its own
    /// address; <c>*</c> allows any. Empty (the default) allows none beyond <see cref="CorsAllowLoopback"/>.
    /// </summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>Pages served from this machine (localhost, 127.0.0.0/8, ::1, any port) may call the API; <c>canopy up</c> on a loopback address sets it.</summary>
    public bool CorsAllowLoopback { get; set; }

    /// <summary>
    /// The address clusters, the CLI and the other replicas reach this replica's API at, as it registers itself; the listen address
    /// when empty. Replicas of one database show it as the leader's URL (<c>GET /health</c>) and send clusters there.
    /// </summary>
    public string? ReplicaUrl { get; set; }

    /// <summary>
    /// With replicas on PostgreSQL: how long the database keeps a silent leader's lock (<c>idle_session_timeout</c> of its session)
    /// before another replica may lead. The leader itself stops acting after two thirds of it without a renewal.
    /// </summary>
    public TimeSpan LeaderLease { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often a follower tries to take the leadership (a dead leader's lock is free at once).</summary>
    public TimeSpan LeaderPollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    internal string AdvertisedUrl() => string.IsNullOrWhiteSpace(ReplicaUrl) ? Listen.TrimEnd('/') : ReplicaUrl.TrimEnd('/');

    /// <summary>Who may scrape <c>/metrics</c> (Root:Metrics:ScrapeToken, CANOPY_METRICS_TOKEN).</summary>
    public Hosting.Metrics.MetricsOptions Metrics { get; set; } = new();

    /// <summary>Body size, request rate per user and time per request of the API.</summary>
    public Hosting.ApiLimitOptions Limits { get; set; } = new();

    /// <summary>
    /// Organizations (names or ids; <c>*</c> for all) whose members may deploy <c>virtualization: exec</c>. Null means
    /// <see cref="DefaultExecOrganizations"/>: the operator's own organization <c>root</c> keeps exec, as before organizations existed,
    /// and a tenant organization gets it only when the operator lists it, since an exec process shares the node's files and network.
    /// </summary>
    public List<string>? ExecAllowedOrganizations { get; set; }

    /// <summary>Roles that may deploy <c>exec</c> within those organizations; null means <see cref="DefaultExecRoles"/> (every role that deploys).</summary>
    public List<string>? ExecAllowedRoles { get; set; }

    public static readonly IReadOnlyList<string> DefaultExecOrganizations = ["root"];

    public static readonly IReadOnlyList<string> DefaultExecRoles =
        [Contracts.Api.Roles.Admin, Contracts.Api.Roles.OrganizationAdmin, Contracts.Api.Roles.ApplicationProvider];

    // Null stands for the default because the configuration binder appends to a list that already has items.
    internal IReadOnlyList<string> ExecOrganizations() => ExecAllowedOrganizations ?? DefaultExecOrganizations;

    internal IReadOnlyList<string> ExecRoles() => ExecAllowedRoles ?? DefaultExecRoles;

    /// <summary>Throws <see cref="ArgumentException"/> naming the bad option.</summary>
    /// <summary>The API's address; an <see cref="ArgumentException"/> names what is wrong with <see cref="Listen"/> and the flag that fixes it.</summary>
    public Hosting.Tls.ApiListener Listener() =>
        Hosting.Tls.ApiListener.TryParse(Listen, InsecureHttp, InsecureHttpOnNetwork, "Root", out var problem) ?? throw new ArgumentException(problem);

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            throw new ArgumentException("RootOptions.DataDir is required");
        }

        if (!PlacementAlgorithms.Names.Contains(SchedulingAlgorithm))
        {
            throw new ArgumentException(
                $"unknown scheduling algorithm '{SchedulingAlgorithm}'; known: {string.Join(", ", PlacementAlgorithms.Names)}");
        }

        if (ClusterGracePeriod <= TimeSpan.Zero || ClusterHeartbeatTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("ClusterGracePeriod and ClusterHeartbeatTimeout must be positive");
        }

        if (EventsKept < 1 || EventKeepAlive <= TimeSpan.Zero)
        {
            throw new ArgumentException("EventsKept and EventKeepAlive must be positive");
        }

        if (CorsOrigins.FirstOrDefault(o => !Api.CorsOrigins.IsValidSetting(o)) is { } origin)
        {
            throw new ArgumentException(
                $"CORS origin '{origin}' is not an origin; write scheme://host[:port] without a path, e.g. http://dashboard.example:8080, or * for any");
        }

        if (Limits.Problems("Limits").FirstOrDefault() is { } limit)
        {
            throw new ArgumentException(limit);
        }

        if (CertificateLifetime <= TimeSpan.Zero || CertificateCheckInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("CertificateLifetime and CertificateCheckInterval must be positive");
        }

        _ = Listener();

        if (ReplicaUrls.FirstOrDefault(u => !Uri.TryCreate(u, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")) is { } replica)
        {
            throw new ArgumentException($"ReplicaUrls: '{replica}' is not an absolute http(s) URL; list every replica as https://HOST:PORT");
        }

        if (ExecAllowedRoles?.FirstOrDefault(r => !Contracts.Api.Roles.All.Contains(r)) is { } role)
        {
            throw new ArgumentException(
                $"ExecAllowedRoles: '{role}' is not a role; known (exact spelling): {string.Join(", ", Contracts.Api.Roles.All)}");
        }

        if (AdminPassword is { Length: > 0 and < Auth.PasswordPolicy.MinLength })
        {
            throw new ArgumentException(
                $"AdminPassword (CANOPY_ADMIN_PASSWORD) has {AdminPassword.Length} characters; at least {Auth.PasswordPolicy.MinLength} are required");
        }

        if (LeaderLease < TimeSpan.FromSeconds(1) || LeaderPollInterval <= TimeSpan.Zero || LeaderPollInterval >= LeaderLease)
        {
            throw new ArgumentException("LeaderLease must be at least 1 s, and LeaderPollInterval positive and shorter than it");
        }

        if (AccessTokenLifetime <= TimeSpan.Zero || RefreshTokenLifetime <= TimeSpan.Zero)
        {
            throw new ArgumentException("token lifetimes must be positive");
        }
    }
}
