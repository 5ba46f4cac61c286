using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Registration;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>
/// <c>POST {ClusterUrl}/api/node/register</c>: announces the node with its static facts and previous id, and gets
/// its id and broker credentials. Retries until it succeeds: a node is useless without its cluster, and the
/// cluster may simply not be up yet.
/// </summary>
internal sealed class ClusterRegistrar : IDisposable
{
    private readonly NodeEngineOptions _options;
    private readonly NodeIdentityStore _identity;
    private readonly NodeFacts _facts;
    private readonly ResourceMonitor _monitor;
    private readonly NodeInstances _instances;
    private readonly NodeSubnet _subnet;
    private readonly HostNetwork _network;
    private readonly NodeNetManager _net;
    private readonly ClusterTrust _trust;
    private readonly ILogger<ClusterRegistrar> _log;
    private readonly HttpClient _http;
    private readonly Uri[] _endpoints;
    private int _current;
    private Task _connecting = Task.CompletedTask;

    public ClusterRegistrar(
        NodeEngineOptions options, NodeIdentityStore identity, NodeFacts facts, ResourceMonitor monitor,
        NodeInstances instances, NodeSubnet subnet, HostNetwork network, NodeNetManager net, ClusterTrust trust, ILogger<ClusterRegistrar> log)
    {
        _net = net;
        _trust = trust;
        _subnet = subnet;
        _network = network;
        _options = options;
        _identity = identity;
        _facts = facts;
        _monitor = monitor;
        _instances = instances;
        _log = log;
        _endpoints = [.. options.ClusterUrls().Select(u => new Uri(new Uri(u.TrimEnd('/') + "/"), "api/node/register"))];
        _http = new HttpClient(trust.CreateHandler(TimeSpan.FromSeconds(5)))
        {
            Timeout = TimeSpan.FromSeconds(15),
        };
    }

    /// <summary>Back-off ceiling while the cluster is unreachable.</summary>
    internal TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Between two addresses of a cluster that has several: the next one is tried soon, a whole round backs off.</summary>
    private static readonly TimeSpan NextAddressDelay = TimeSpan.FromMilliseconds(200);

    /// <summary>How long the registration waits for the connection <see cref="Connect"/> opens.</summary>
    private static readonly TimeSpan ConnectWait = TimeSpan.FromSeconds(1);

    /// <summary>After a 401 or 403 (a wrong join token, or an id this node cannot prove is its own).</summary>
    internal TimeSpan InvalidTokenRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Opens the TLS connection to the cluster (a <c>GET /health</c>) while the node prepares the rest of its registration, so that
    /// the registration does not wait for the handshake. Whatever goes wrong here, the registration finds again and reports.
    /// </summary>
    public void Connect(CancellationToken ct)
    {
        _connecting = ConnectAsync(ct);

        async Task ConnectAsync(CancellationToken token)
        {
            try
            {
                using var response = await _http.GetAsync(new Uri(_endpoints[0], "/health"), HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or OperationCanceledException)
            {
                // Not reachable yet, or refused: RegisterAsync says why.
            }
        }
    }

    public async Task<NodeRegisterResponse> RegisterAsync(CancellationToken ct)
    {
        // The connection Connect opens is pooled only once its answer came; a registration sent before would open a second one.
        // A cluster that does not answer at all is the registration's to report, after its own timeout.
        await _connecting.WaitAsync(ConnectWait, ct).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        ct.ThrowIfCancellationRequested();
        var delay = FirstRetryDelay;
        while (true)
        {
            TimeSpan wait;
            var endpoint = _endpoints[_current];
            var cluster = endpoint.GetLeftPart(UriPartial.Authority);
            try
            {
                // Until its new subnet is recorded, no other node on this machine may be given one (it would not see this one's).
                using var registering = await _network.LockRegistrationAsync(ct).ConfigureAwait(false);
                using var content = new ByteArrayContent(NodeJson.SerializeToUtf8(BuildRequest()));
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await _http.PostAsync(endpoint, content, ct).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    var body = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                    var registration = NodeJson.Deserialize<NodeRegisterResponse>(body);
                    if (registration is { Id.Length: > 0, Mqtt: not null })
                    {
                        _identity.Save(registration.Id);
                        _trust.Remember();
                        _subnet.Assign(registration.Subnet);
                        if (_subnet.Current is { } subnet)
                        {
                            _network.RecordSubnet(subnet);
                        }

                        LinkLog.Registered(_log, cluster, registration.Id, _facts.Name);
                        return registration;
                    }

                    wait = delay;
                    LinkLog.RegistrationRefused(_log, cluster, (int)response.StatusCode, "response without id or mqtt credentials", wait);
                }
                else if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                {
                    // A wrong token or a refused identity will not fix itself quickly: retry slowly, the operator may correct it meanwhile.
                    wait = InvalidTokenRetryDelay;
                    LinkLog.Refused(_log, cluster, (int)response.StatusCode, await ProblemDetailAsync(response, ct).ConfigureAwait(false), wait);
                }
                else
                {
                    // 503: the cluster is waiting for something that comes soon (its root's subnet blocks): retry at the first pace.
                    wait = response.StatusCode == HttpStatusCode.ServiceUnavailable ? FirstRetryDelay : delay;
                    var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
                    LinkLog.RegistrationRefused(_log, cluster, (int)response.StatusCode, text.Length > 500 ? text[..500] : text, wait);
                }
            }
            catch (HttpRequestException e) when (_trust.Refusal(e) is { } refusal)
            {
                // Nothing was sent: the handshake ended before the request. Another server answers there, or the pin is wrong.
                wait = InvalidTokenRetryDelay;
                LinkLog.ClusterCertificateRefused(_log, cluster, refusal, wait);
            }
            catch (Exception e) when (e is HttpRequestException or JsonException ||
                                      (e is TaskCanceledException && !ct.IsCancellationRequested))
            {
                // Another address of the cluster, if it has one (it may have moved there); a whole round of them backs off.
                _current = (_current + 1) % _endpoints.Length;
                wait = _current == 0 ? delay : NextAddressDelay;
                LinkLog.ClusterUnreachable(_log, cluster, e.Message, wait);
            }

            await Task.Delay(wait, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private NodeRegisterRequest BuildRequest()
    {
        var resources = _monitor.Sample();
        var identity = _identity.Load();
        return new NodeRegisterRequest
        {
            JoinToken = _trust.Secret,
            Id = identity.Id,
            Secret = identity.Secret,
            Host = _facts.Name,
            Ip = _facts.Ip,
            Vcpus = resources.Vcpus,
            MemoryTotal = resources.MemoryTotalMb,
            Architecture = _facts.Architecture,
            Virtualization = _instances.Virtualizations,
            Location = _options.Location,
            SubnetsInUse = _network.SubnetsInUse(),
            Overlay = _net.Overlay,
            SystemInfo = new Dictionary<string, string>
            {
                ["kernel_version"] = _facts.KernelVersion,
                ["os_version"] = _facts.OsVersion,
                ["architecture"] = _facts.Architecture,
            },
            Extra = _facts.Extras,
        };
    }

    /// <summary>The <c>detail</c> of a problem+json answer, else the start of the body.</summary>
    private static async Task<string> ProblemDetailAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        try
        {
            using var problem = JsonDocument.Parse(text);
            if (problem.RootElement.ValueKind == JsonValueKind.Object &&
                problem.RootElement.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }
        }
        catch (JsonException)
        {
        }

        return text.Length > 500 ? text[..500] : text;
    }

    public void Dispose() => _http.Dispose();
}
