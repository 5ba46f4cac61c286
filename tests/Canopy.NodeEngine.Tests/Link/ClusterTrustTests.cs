using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Canopy.NodeEngine.ClusterLink;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Tests.Link;

/// <summary>
/// A node trusts exactly the cluster CA its join token pins: another CA is refused in the handshake, before the registration (with
/// the token's secret) is sent; the pin is kept for later starts; a token without a pin does not start against an https cluster.
/// </summary>
public sealed class ClusterTrustTests : IDisposable
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("canopy-ne-trust-").FullName;
    private readonly string _pki = Directory.CreateTempSubdirectory("canopy-ne-trust-pki-").FullName;

    [Fact]
    public async Task A_token_for_another_clusters_ca_sends_nothing_and_says_why()
    {
        Prerequisites.Check();
        var impostor = new ServerCertificate(CertificateAuthority.LoadOrCreate(_pki, "impostor"), _pki, "impostor", []);
        var expected = CertificateAuthority.Create("the real cluster", DateTimeOffset.UtcNow).Pin;
        await using var server = new TlsServer(impostor);
        var log = new ListLogger();
        var options = Options($"https://127.0.0.1:{server.Port}", JoinToken.Format(FakeCluster.Token, expected));
        using var host = NodeEngineHost.Create(options, b =>
        {
            b.Logging.ClearProviders();
            b.Logging.AddProvider(log);
        });
        await host.StartAsync();
        try
        {
            await Eventually.True(() => log.Lines.Any(l => l.Contains("Did not register")), "the refusal in the node's log");
        }
        finally
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            Canopy.Testing.MachineCleanup.ForDataDir(_dataDir);
        }

        var refusal = log.Lines.First(l => l.Contains("Did not register"));
        refusal.ShouldContain(impostor.Authority.Pin);
        refusal.ShouldContain(expected);
        server.Handshakes.ShouldBeGreaterThan(0);
        server.BytesAfterHandshake.ShouldBe(0, "the registration (with the token's secret) must never be sent");
    }

    [Fact]
    public void An_https_cluster_without_a_pin_is_refused_at_start_with_what_to_do()
    {
        var trust = new ClusterTrust(Options("https://127.0.0.1:10100", FakeCluster.Token), new NodeIdentityStore(Options("", "")));

        trust.Problem.ShouldNotBeNull().ShouldContain("carries no CA pin");
        trust.Problem.ShouldContain("<secret>.sha256:");
    }

    [Fact]
    public void A_pin_kept_from_an_earlier_start_still_verifies_when_the_token_has_none()
    {
        var pin = CertificateAuthority.Create("cluster", DateTimeOffset.UtcNow).Pin;
        var identity = new NodeIdentityStore(Options("", ""));
        var first = new ClusterTrust(Options("https://127.0.0.1:10100", JoinToken.Format(FakeCluster.Token, pin)), identity);
        first.Secret.ShouldBe(FakeCluster.Token, "only the secret goes to the cluster");
        first.Remember();

        var later = new ClusterTrust(Options("https://127.0.0.1:10100", ""), identity);

        later.Problem.ShouldBeNull();
        later.Pin.ShouldBe(pin);
        File.ReadAllText(Path.Combine(_dataDir, NodeIdentityStore.FileName)).ShouldContain(pin);
    }

    [Fact]
    public void A_pinned_token_with_a_plain_http_cluster_url_is_refused()
    {
        var pin = CertificateAuthority.Create("cluster", DateTimeOffset.UtcNow).Pin;

        var trust = new ClusterTrust(Options("http://127.0.0.1:10100", JoinToken.Format(FakeCluster.Token, pin)), new NodeIdentityStore(Options("", "")));

        trust.Problem.ShouldNotBeNull().ShouldContain("use https://");
    }

    public void Dispose()
    {
        // The host test's cleanup (MachineCleanup.ForDataDir) may have removed the data dir already.
        foreach (var dir in new[] { _dataDir, _pki }.Where(Directory.Exists))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private NodeEngineOptions Options(string clusterUrl, string token) => new()
    {
        DataDir = _dataDir,
        ClusterUrl = clusterUrl,
        JoinToken = token,
        Name = "trusting-node",
        StartContainerd = false,
    };

    /// <summary>A TLS server with a certificate of its own CA that counts what arrives after a completed handshake.</summary>
    private sealed class TlsServer : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly ServerCertificate _certificate;
        private readonly Task _loop;
        private int _handshakes;
        private int _bytes;

        public TlsServer(ServerCertificate certificate)
        {
            _certificate = certificate;
            _listener.Start();
            _loop = Task.Run(AcceptAsync);
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Handshakes => Volatile.Read(ref _handshakes);

        public int BytesAfterHandshake => Volatile.Read(ref _bytes);

        public async ValueTask DisposeAsync()
        {
            _listener.Stop();
            await _loop;
        }

        private async Task AcceptAsync()
        {
            while (true)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync();
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException)
                {
                    return;
                }

                _ = Task.Run(() => ServeAsync(client));
            }
        }

        private async Task ServeAsync(TcpClient client)
        {
            using (client)
            await using (var ssl = new SslStream(client.GetStream()))
            {
                Interlocked.Increment(ref _handshakes);
                try
                {
                    await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = _certificate.Context });
                    var buffer = new byte[4096];
                    int read;
                    while ((read = await ssl.ReadAsync(buffer)) > 0)
                    {
                        Interlocked.Add(ref _bytes, read);
                    }
                }
                catch (Exception e) when (e is IOException or System.Security.Authentication.AuthenticationException)
                {
                    // The node gave up in the handshake: what this test expects.
                }
            }
        }
    }
}
