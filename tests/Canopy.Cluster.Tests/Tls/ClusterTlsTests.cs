using System.Net;
using System.Net.Http.Json;
using System.Net.Security;
using System.Security.Authentication;
using Canopy.Cluster.Nodes;
using Canopy.Cluster.Tests.Support;
using Canopy.Cluster.Tls;
using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Registration;
using Canopy.Mqtt;
using Canopy.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Tls;

/// <summary>
/// The cluster's own CA on a real Kestrel and its real Mosquitto: HTTPS and MQTT over TLS with certificates of that CA, node join
/// tokens that carry its pin, refusals of plain text and of other CAs, and a renewal that new connections see while the connected
/// nodes stay connected.
/// </summary>
public sealed class ClusterTlsTests(ITestOutputHelper output) : IAsyncLifetime
{
    private FakeRoot _root = null!;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _root = await FakeRoot.StartAsync();
        _cluster = await TestCluster.StartAsync(output, _root, kestrel: true);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _root.DisposeAsync();
    }

    [Fact]
    public async Task The_api_speaks_https_with_the_clusters_ca_and_refuses_plain_http()
    {
        File.Exists(Path.Combine(_cluster.Options.DataDir, "pki", "ca.key")).ShouldBeTrue();
        File.GetUnixFileMode(Path.Combine(_cluster.Options.DataDir, "pki", "ca.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var pinned = _cluster.PinnedClient();
        (await pinned.GetAsync("/api/cluster/status")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var plainUrl = new UriBuilder(_cluster.Options.Listen) { Scheme = "http" }.Uri;
        using var plain = new HttpClient { BaseAddress = plainUrl, Timeout = TimeSpan.FromSeconds(10) };
        var answer = await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync("/api/cluster/status"));
        output.WriteLine($"plain http: {answer.Message}");
    }

    [Fact]
    public async Task A_client_that_pinned_another_ca_is_refused_with_both_pins_named()
    {
        var other = new PinnedCa(CertificateAuthority.Create("another cluster", DateTimeOffset.UtcNow).Pin);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = other.Callback;
        using var client = new HttpClient(handler) { BaseAddress = new Uri(_cluster.Options.Listen) };

        var error = await Should.ThrowAsync<HttpRequestException>(() => client.GetAsync("/api/cluster/status"));

        error.InnerException.ShouldBeOfType<AuthenticationException>();
        other.LastError.ShouldNotBeNull().ShouldContain(_cluster.Pin);
        other.LastError.ShouldContain(other.Pin);
    }

    [Fact]
    public async Task Node_join_tokens_carry_the_pin_and_the_cluster_checks_only_the_secret()
    {
        var tokens = _cluster.Services.GetRequiredService<NodeJoinTokens>();
        var created = await tokens.CreateAsync("for a test", null, null, "test", CancellationToken.None);
        var token = JoinToken.Parse(created.Token);
        token.CaPin.ShouldBe(_cluster.Pin);

        var whole = await RegisterAsync("with-whole-token", created.Token);
        var secretOnly = await RegisterAsync("with-secret-only",
            JoinToken.Parse((await tokens.CreateAsync(null, null, null, "test", CancellationToken.None)).Token).Secret);
        var staticToken = await RegisterAsync("with-static-token", JoinToken.Format(TestCluster.NodeToken, _cluster.Pin));

        foreach (var registration in new[] { whole, secretOnly, staticToken })
        {
            registration.Mqtt.Tls.ShouldBeTrue("the answer tells the node its broker speaks TLS");
        }
    }

    [Fact]
    public async Task Plain_mqtt_to_the_brokers_tls_listener_fails()
    {
        var registration = await RegisterAsync("plain-mqtt", TestCluster.NodeToken);
        await using var plain = FakeNode.BrokerClient(_cluster, registration.Mqtt with { Tls = false }, registration.Id + "-plain");

        await Should.ThrowAsync<Exception>(() => plain.ConnectAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(15)));

        plain.IsConnected.ShouldBeFalse();
        File.ReadAllText(Path.Combine(_cluster.Options.DataDir, "mosquitto", "mosquitto.conf")).ShouldContain("certfile ");
    }

    [Fact]
    public async Task A_renewal_reaches_new_https_and_mqtt_connections_while_connected_nodes_stay_connected()
    {
        await using var node = await FakeNode.StartAsync(_cluster, "stays-connected");
        var reconnects = 0;
        node.Client.Connected += () =>
        {
            Interlocked.Increment(ref reconnects);
            return Task.CompletedTask;
        };
        var server = _cluster.Services.GetRequiredService<ClusterTls>().Server;
        var before = server.Certificate.GetCertHashString();
        (await HttpsLeafAsync()).ShouldBe(before);
        (await MqttLeafAsync()).ShouldBe(before);

        server.Renew(force: true).ShouldBeTrue();
        var after = server.Certificate.GetCertHashString();
        after.ShouldNotBe(before);

        (await HttpsLeafAsync()).ShouldBe(after);
        await Waits.UntilAsync(async () => await MqttLeafAsync() == after, "the broker to hand out the renewed certificate (SIGHUP)");

        // The node's connection from before is the same one, and still carries messages both ways.
        _cluster.Services.GetRequiredService<ClusterMqtt>().Publish(NodeTopics.ControlError(node.Id), CanopyJson.SerializeToUtf8(new ControlError("ping")));
        await node.Commands.WaitForAsync(c => c.Kind == "error" && c.Payload.Contains("ping"), "the cluster's message over the old connection");
        var user = await _cluster.Services.GetRequiredService<Canopy.Cluster.Broker.BrokerUsers>().GetClusterUserAsync(CancellationToken.None);
        await using var observer = new MqttClient(new MqttClientOptions
        {
            Port = _cluster.Options.Mqtt.Port,
            ClientId = "renewal-observer",
            Username = user.Username,
            Password = user.Password,
            Tls = _cluster.BrokerTls,
        });
        var heard = new RecordedList<string>();
        observer.MessageReceived += m =>
        {
            heard.Add(m.Topic);
            return Task.CompletedTask;
        };
        await observer.ConnectAsync(CancellationToken.None);
        await observer.SubscribeAsync(NodeTopics.Information(node.Id), MqttQos.AtLeastOnce, CancellationToken.None);
        await heard.WaitForAsync(_ => true, "the node's heartbeat over its old connection");
        node.Client.IsConnected.ShouldBeTrue();
        reconnects.ShouldBe(0);
        (await _cluster.NodesAsync()).Single(n => n.Id == node.Id).Active.ShouldBeTrue();
    }

    private async Task<NodeRegisterResponse> RegisterAsync(string host, string token)
    {
        using var response = await _cluster.Http.PostAsJsonAsync(
            "/api/node/register", FakeNode.Describe(host, new FakeNodeOptions(), token), CanopyJson.Options);
        response.StatusCode.ShouldBe(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
    }

    /// <summary>The server certificate a new HTTPS connection gets.</summary>
    private async Task<string?> HttpsLeafAsync()
    {
        string? seen = null;
        var pinned = new PinnedCa(_cluster.Pin);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = Capture(pinned, leaf => seen = leaf);
        using var client = new HttpClient(handler) { BaseAddress = new Uri(_cluster.Options.Listen) };
        (await client.GetAsync("/api/cluster/status")).EnsureSuccessStatusCode();
        return seen;
    }

    /// <summary>The server certificate a new MQTT connection gets (with a node's account: the handshake comes before any login).</summary>
    private async Task<string?> MqttLeafAsync()
    {
        string? seen = null;
        var pinned = new PinnedCa(_cluster.Pin);
        await using var client = new MqttClient(new MqttClientOptions
        {
            Port = _cluster.Options.Mqtt.Port,
            ClientId = "leaf-probe-" + Guid.NewGuid().ToString("N")[..8],
            Username = "nobody",
            Password = "nothing",
            Tls = new MqttTlsOptions { RemoteCertificateValidationCallback = Capture(pinned, leaf => seen = leaf) },
        });
        await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync(CancellationToken.None));
        return seen;
    }

    private static RemoteCertificateValidationCallback Capture(PinnedCa pinned, Action<string?> leaf) => (sender, certificate, chain, errors) =>
    {
        leaf(certificate?.GetCertHashString());
        return pinned.Validate(sender, certificate, chain, errors);
    };
}
