using System.Diagnostics;
using System.Security.Authentication;
using Canopy.Mqtt.Tests.Infrastructure;
using Canopy.Security;
using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Client;

/// <summary>
/// MQTT over TLS against a real Mosquitto whose listener has a certificate from a Canopy CA (server.crt = leaf + CA, as the cluster
/// hands it over); the client checks it with a pinned CA through the validation callback.
/// </summary>
public sealed class MqttClientTlsTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _pki = Directory.CreateTempSubdirectory("canopy-mqtt-tls-").FullName;

    [Fact]
    public async Task Pinned_client_connects_publishes_and_receives_over_tls()
    {
        var (certificate, broker) = await StartTlsBrokerAsync();
        await using (broker)
        {
            await using var client = await TestClients.ConnectAsync(output, broker.Port, "tls-client", o => o.Tls = Pinned(certificate));
            var received = MessageCollector.AttachTo(client);

            await client.SubscribeAsync("tls/#", MqttQos.AtLeastOnce, CancellationToken.None);
            await client.PublishAsync("tls/hello", "over tls");

            (await received.WaitForTopicAsync("tls/hello")).PayloadText.ShouldBe("over tls");
        }
    }

    [Fact]
    public async Task A_broker_of_another_ca_is_refused_before_connect_is_sent()
    {
        var (_, broker) = await StartTlsBrokerAsync();
        await using (broker)
        {
            var other = new PinnedCa(CertificateAuthority.Create("other", DateTimeOffset.UtcNow).Pin);
            await using var client = TestClients.Create(output, broker.Port, "refusing-client", o =>
            {
                o.Username = "someone";
                o.Password = "never-sent";
                o.Tls = new MqttTlsOptions { RemoteCertificateValidationCallback = other.Callback };
            });

            await Should.ThrowAsync<AuthenticationException>(() => client.ConnectAsync(CancellationToken.None).Within("the refusal"));

            other.LastError.ShouldNotBeNull().ShouldContain("not the pinned");
            client.IsConnected.ShouldBeFalse();
            broker.Log.ShouldNotContain("refusing-client");
        }
    }

    [Fact]
    public async Task Plain_mqtt_to_the_tls_listener_fails()
    {
        var (_, broker) = await StartTlsBrokerAsync();
        await using (broker)
        {
            await using var client = TestClients.Create(output, broker.Port, "plain-client", o => o.ConnectTimeout = TimeSpan.FromSeconds(3));

            var error = await Should.ThrowAsync<Exception>(() => client.ConnectAsync(CancellationToken.None).Within("the failure"));

            output.WriteLine($"plain client: {error.GetType().Name}: {error.Message}");
            error.ShouldBeAssignableTo<Exception>().ShouldNotBeOfType<MqttConnectException>();
            client.IsConnected.ShouldBeFalse();
        }
    }

    /// <summary>
    /// Mosquitto 2.0.11 re-reads certfile/keyfile on SIGHUP (mosquitto.conf(5)): new connections get the new certificate, a
    /// connection opened before stays up and keeps working.
    /// </summary>
    [Fact]
    public async Task Sighup_gives_new_connections_the_renewed_certificate_and_keeps_the_open_one()
    {
        var (certificate, broker) = await StartTlsBrokerAsync();
        await using (broker)
        {
            var firstLeaf = certificate.Certificate.Thumbprint;
            await using var before = await TestClients.ConnectAsync(output, broker.Port, "before-renewal", o => o.Tls = Pinned(certificate));
            var received = MessageCollector.AttachTo(before);
            await before.SubscribeAsync("renewal/#", MqttQos.AtLeastOnce, CancellationToken.None);

            certificate.Renew(force: true).ShouldBeTrue();
            var renewedLeaf = certificate.Certificate.Thumbprint;
            renewedLeaf.ShouldNotBe(firstLeaf);
            using (var hup = Process.Start("kill", ["-HUP", broker.ProcessId!.Value.ToString()]))
            {
                await hup.WaitForExitAsync();
            }

            var seen = await SeenLeafAsync(broker, certificate, renewedLeaf);
            seen.ShouldBe(renewedLeaf);

            before.IsConnected.ShouldBeTrue();
            await before.PublishAsync("renewal/after", "still here");
            (await received.WaitForTopicAsync("renewal/after")).PayloadText.ShouldBe("still here");
        }
    }

    public void Dispose() => Directory.Delete(_pki, recursive: true);

    private async Task<(ServerCertificate Certificate, MosquittoBroker Broker)> StartTlsBrokerAsync()
    {
        var ca = CertificateAuthority.LoadOrCreate(_pki, "mqtt-test");
        var certificate = new ServerCertificate(ca, _pki, "mqtt-test-broker", []);
        var broker = await MosquittoBroker.StartAsync(new MosquittoOptions { Tls = (certificate.CertificatePath, certificate.KeyPath) });
        return (certificate, broker);
    }

    private static MqttTlsOptions Pinned(ServerCertificate certificate) =>
        new() { RemoteCertificateValidationCallback = new PinnedCa(certificate.Authority.Pin).Callback };

    /// <summary>Connects fresh clients until one sees <paramref name="expected"/> (the broker reloads a moment after the signal).</summary>
    private async Task<string?> SeenLeafAsync(MosquittoBroker broker, ServerCertificate certificate, string expected)
    {
        var pinned = new PinnedCa(certificate.Authority.Pin);
        var deadline = Stopwatch.StartNew();
        string? seen = null;
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            await using var probe = TestClients.Create(output, broker.Port, TestClients.UniqueId("probe"), o => o.Tls = new MqttTlsOptions
            {
                RemoteCertificateValidationCallback = (sender, presented, chain, errors) =>
                {
                    seen = presented?.GetCertHashString();
                    return pinned.Validate(sender, presented, chain, errors);
                },
            });
            await probe.ConnectAsync(CancellationToken.None).Within("a probe connection");
            await probe.DisconnectAsync(CancellationToken.None);
            if (seen == expected)
            {
                return seen;
            }

            await Task.Delay(50);
        }

        return seen;
    }
}
