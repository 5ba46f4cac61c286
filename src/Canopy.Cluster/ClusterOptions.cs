using Canopy.Core.Scheduling;

namespace Canopy.Cluster;

/// <summary>Everything a cluster orchestrator needs to start; built by the CLI from defaults, config file, env and flags.</summary>
public sealed class ClusterOptions
{
    /// <summary>Where the cluster keeps <c>cluster.db</c> and its Mosquitto files.</summary>
    public required string DataDir { get; set; }

    /// <summary>
    /// Where the store lives: empty = <c>cluster.db</c> in <see cref="DataDir"/>; a <c>postgres://user:password@host:port/database</c>
    /// URL = a PostgreSQL database (a cluster orchestrator restarted elsewhere keeps its nodes and instances).
    /// </summary>
    public string? Store { get; set; }

    /// <summary>
    /// Nodes of this cluster carry overlay traffic through WireGuard (wireguard-go, a key pair per node): the registration
    /// answer tells them, their public keys travel in the net tables. A node pair whose choices differ (across clusters) is
    /// not connected rather than connected in plain text.
    /// </summary>
    public bool OverlayEncryption { get; set; }

    /// <summary>The name the root knows this cluster by; re-registering with the same name keeps the cluster id.</summary>
    public string Name { get; set; } = "cluster-1";

    /// <summary>"lat,lon", for geo constraints at the root.</summary>
    public string? Location { get; set; }

    /// <summary>URL the cluster's API (node registration, status) listens on: https, with the cluster's own CA (see <see cref="Tls.ClusterTls"/>).</summary>
    public string Listen { get; set; } = "https://127.0.0.1:10100";

    /// <summary>Allows an <c>http://</c> <see cref="Listen"/> on loopback (with a warning): node registration then travels in the clear.</summary>
    public bool InsecureHttp { get; set; }

    /// <summary>With <see cref="InsecureHttp"/>: allows plain HTTP on an address other machines reach, too (said a second time on purpose).</summary>
    public bool InsecureHttpOnNetwork { get; set; }

    /// <summary>How long each server certificate of the API and the broker is valid; renewed after two thirds of it.</summary>
    public TimeSpan CertificateLifetime { get; set; } = Security.ServerCertificate.DefaultLifetime;

    /// <summary>How often the cluster checks whether its server certificate is due for renewal.</summary>
    public TimeSpan CertificateCheckInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// The root's API; https (verified against the root's CA pin), or http for a root run with --insecure-http. Several replicas of
    /// one root may be given as a comma list (or in <see cref="RootUrls"/>): the cluster links to one and moves to another when it fails.
    /// </summary>
    public string RootUrl { get; set; } = "https://127.0.0.1:10000";

    /// <summary>More addresses of the same root's replicas (config <c>Cluster:RootUrls</c>), after those of <see cref="RootUrl"/>.</summary>
    public List<string> RootUrls { get; set; } = [];

    /// <summary>How long the cluster waits between two root addresses while it fails over (after a full round it backs off, up to a second).</summary>
    public TimeSpan RootFailoverDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The data dir this cluster ran from on another machine (or a copy of its <c>pki/ca.crt</c>, <c>pki/ca.key</c>, <c>secrets.key</c>,
    /// <c>admin-token</c>): a cluster restarted elsewhere from its PostgreSQL store takes them at its first start there, so its nodes
    /// (which pin its CA) and its sealed specs still fit.
    /// </summary>
    public string? ReplicaOf { get; set; }

    /// <summary>Token the root issued for clusters to join: <c>&lt;secret&gt;.&lt;root CA pin&gt;</c> (a bare secret only with <see cref="RootCaPin"/> or an http root).</summary>
    public string RootJoinToken { get; set; } = "";

    /// <summary>The root's CA pin (<c>sha256:...</c>) when the join token carries none; wins over the token's.</summary>
    public string? RootCaPin { get; set; }

    /// <summary>Token nodes must present to register; empty refuses every node.</summary>
    public string NodeJoinToken { get; set; } = "";

    public MqttBrokerOptions Mqtt { get; set; } = new();

    /// <summary>Body size, request rate per user and time per request of the cluster's API.</summary>
    public Hosting.ApiLimitOptions Limits { get; set; } = new();

    /// <summary>Who may scrape <c>/metrics</c> (Cluster:Metrics:ScrapeToken, CANOPY_METRICS_TOKEN).</summary>
    public Hosting.Metrics.MetricsOptions Metrics { get; set; } = new();

    /// <summary>One of <see cref="PlacementAlgorithms.Names"/>.</summary>
    public string SchedulingAlgorithm { get; set; } = PlacementAlgorithms.BestFit;

    /// <summary>How many times its cores a node's CPU may be promised to instances (SLA vcpus are quotas); memory is never over-committed.</summary>
    public double CpuOvercommit { get; set; } = 4.0;

    /// <summary>
    /// The fallback: a node not heard from for this long is inactive and its instances move. A lost node is normally seen much sooner,
    /// by its MQTT connection (the broker drops a node silent for 1.5 × its keep-alive, or whose socket closes, and publishes its
    /// last will). Canopy nodes send their inventory at least once a minute, so this is a little over two of those.
    /// </summary>
    public TimeSpan NodeHeartbeatTimeout { get; set; } = TimeSpan.FromSeconds(150);

    /// <summary>
    /// After this cluster starts, how long a node saved as active has to show up again (reconnect, or a retained <c>online</c>)
    /// before it is taken for lost; live nodes reconnect within seconds when the cluster's broker restarts.
    /// </summary>
    public TimeSpan NodeReconnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest gap between two <c>resources</c> messages to the root (they are also its heartbeat).</summary>
    public TimeSpan ResourcesInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often the instances' metrics are looked at; only those that changed since the root last had them are sent.</summary>
    public TimeSpan MetricsInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often every running instance's metrics go to the root, changed or not (its history forgets a series after 10 min).</summary>
    public TimeSpan MetricsRefreshInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Messages per second one node may publish on average; its excess is dropped (a healthy node sends about 1).</summary>
    public int NodeMessagesPerSecond { get; set; } = 50;

    /// <summary>Messages one node may publish at once above the average (a node reporting many instances after a restart).</summary>
    public int NodeMessageBurst { get; set; } = 500;

    /// <summary>
    /// How long a cluster that has no node subnet blocks yet waits for its root's answer before it gives nodes subnets from the
    /// whole node range (nodes meanwhile hear 503 and come back): long enough for a reachable root to answer, short enough that a
    /// cluster whose root is unreachable still serves its nodes.
    /// </summary>
    public TimeSpan SubnetWaitForRoot { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often instances that could not be placed are tried again.</summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// An instance no worker can take for this long goes back to the root, which may have a cluster with room (the root sees
    /// only each cluster's totals, not how they are spread over workers). Long enough for a restarting node to come back.
    /// </summary>
    public TimeSpan HandBackAfter { get; set; } = TimeSpan.FromSeconds(8);

    /// <summary>Every problem with these options, each naming its option; empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(DataDir))
        {
            problems.Add("DataDir: a data directory is required");
        }

        problems.AddRange(Limits.Problems("Limits"));

        if (string.IsNullOrWhiteSpace(Name))
        {
            problems.Add("Name: a cluster name is required");
        }

        if (Location is not null && GeoPoint.TryParse(Location) is null)
        {
            problems.Add($"Location: '{Location}' is not \"lat,lon\" in degrees");
        }

        ValidateListen(problems);
        ValidateRoot(problems);

        if (!PlacementAlgorithms.Names.Contains(SchedulingAlgorithm))
        {
            problems.Add($"SchedulingAlgorithm: '{SchedulingAlgorithm}' is unknown; use one of {string.Join(", ", PlacementAlgorithms.Names)}");
        }

        if (Mqtt.Port is < 1 or > 65535)
        {
            problems.Add($"Mqtt.Port: {Mqtt.Port} is not a TCP port");
        }

        AddIfNotPositive(problems, nameof(NodeHeartbeatTimeout), NodeHeartbeatTimeout);
        AddIfNotPositive(problems, nameof(NodeReconnectTimeout), NodeReconnectTimeout);
        AddIfNotPositive(problems, nameof(ResourcesInterval), ResourcesInterval);
        AddIfNotPositive(problems, nameof(MetricsInterval), MetricsInterval);
        AddIfNotPositive(problems, nameof(MetricsRefreshInterval), MetricsRefreshInterval);
        AddIfNotPositive(problems, nameof(RetryInterval), RetryInterval);
        AddIfNotPositive(problems, "Mqtt." + nameof(Mqtt.KeepAliveCheckInterval), Mqtt.KeepAliveCheckInterval);
        if (Mqtt.KeepAliveGrace < TimeSpan.Zero)
        {
            problems.Add($"Mqtt.KeepAliveGrace: {Mqtt.KeepAliveGrace} is negative; use 0 or more, e.g. 00:00:00.250");
        }
        if (NodeMessagesPerSecond < 1 || NodeMessageBurst < NodeMessagesPerSecond)
        {
            problems.Add($"NodeMessagesPerSecond ({NodeMessagesPerSecond}) must be at least 1 and NodeMessageBurst ({NodeMessageBurst}) at least as large");
        }
        AddIfNotPositive(problems, nameof(HandBackAfter), HandBackAfter);
        AddIfNotPositive(problems, nameof(CertificateLifetime), CertificateLifetime);
        AddIfNotPositive(problems, nameof(CertificateCheckInterval), CertificateCheckInterval);
        return problems;
    }

    /// <summary>Every configured address of the root, in order: <see cref="RootUrl"/> (a comma list), then <see cref="RootUrls"/>; without duplicates.</summary>
    public IReadOnlyList<string> RootAddresses() =>
        RootUrl.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(RootUrls.Select(u => u.Trim()).Where(u => u.Length > 0))
            .Select(u => RootLink.RootAddresses.Normalize(u) ?? u)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>The API's address; null when <see cref="Listen"/> is refused (<see cref="Validate"/> says why).</summary>
    public Hosting.Tls.ApiListener? Listener() => Hosting.Tls.ApiListener.TryParse(Listen, InsecureHttp, InsecureHttpOnNetwork, "Cluster", out _);

    private void ValidateRoot(List<string> problems)
    {
        var addresses = RootAddresses();
        if (addresses.Count == 0)
        {
            problems.Add("RootUrl: a root URL is required, e.g. https://root.example:10000");
            return;
        }

        var bad = addresses.Where(a => RootLink.RootAddresses.Normalize(a) is null).ToList();
        if (bad.Count > 0)
        {
            problems.Add($"RootUrl: '{string.Join("', '", bad)}' is not an absolute http(s) URL");
        }
        else if (addresses.Select(a => new Uri(a).Scheme).Distinct().Count() > 1)
        {
            problems.Add($"RootUrl: the root's addresses mix http and https ({string.Join(", ", addresses)}); the replicas of one root serve one scheme");
        }
        else if (RootLink.RootTrust.Problem(this) is { } trust)
        {
            problems.Add(trust);
        }

        AddIfNotPositive(problems, nameof(RootFailoverDelay), RootFailoverDelay);
    }

    private void ValidateListen(List<string> problems)
    {
        if (Hosting.Tls.ApiListener.TryParse(Listen, InsecureHttp, InsecureHttpOnNetwork, "Cluster", out var problem) is null)
        {
            problems.Add(problem!);
        }
    }

    private static void AddIfNotPositive(List<string> problems, string name, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            problems.Add($"{name}: must be positive (is {value})");
        }
    }
}
