using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;

namespace Canopy.Security.Tests;

/// <summary>Real TLS handshakes over loopback: what a cluster or node does when it dials a pinned parent.</summary>
public sealed class PinnedCaTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-security-").FullName;

    [Fact]
    public async Task Handshake_WithThePinnedCa_Succeeds()
    {
        var ca = CertificateAuthority.LoadOrCreate(_dir, "root");
        var server = new ServerCertificate(ca, _dir, "root", []);

        var (ok, error) = await HandshakeAsync(server, new PinnedCa(ca.Pin));

        ok.ShouldBeTrue(error);
    }

    [Fact]
    public async Task Handshake_WithAnotherCa_IsRefusedNamingBothPins()
    {
        var ca = CertificateAuthority.LoadOrCreate(_dir, "root");
        var other = CertificateAuthority.Create("other", DateTimeOffset.UtcNow);
        var server = new ServerCertificate(ca, _dir, "root", []);
        var pinned = new PinnedCa(other.Pin);

        var (ok, _) = await HandshakeAsync(server, pinned);

        ok.ShouldBeFalse();
        pinned.LastError!.ShouldContain(ca.Pin);
        pinned.LastError!.ShouldContain(other.Pin);
    }

    [Fact]
    public async Task Handshake_WithAnExpiredCertificate_SaysItExpired()
    {
        var ca = CertificateAuthority.LoadOrCreate(_dir, "root");
        var server = new ServerCertificate(ca, _dir, "root", [], lifetime: TimeSpan.FromMinutes(1));
        var pinned = new PinnedCa(ca.Pin, new ShiftedTime(TimeSpan.FromHours(1)));

        var (ok, _) = await HandshakeAsync(server, pinned);

        ok.ShouldBeFalse();
        pinned.LastError!.ShouldContain("expired");
    }

    [Fact]
    public void LoadOrCreate_KeepsTheCaAndItsKeyPrivate()
    {
        var first = CertificateAuthority.LoadOrCreate(_dir, "root");
        var again = CertificateAuthority.LoadOrCreate(_dir, "root");

        again.Pin.ShouldBe(first.Pin);
        File.GetUnixFileMode(CertificateAuthority.KeyPath(_dir)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Renew_GivesNewConnectionsANewCertificate()
    {
        var ca = CertificateAuthority.LoadOrCreate(_dir, "root");
        var server = new ServerCertificate(ca, _dir, "root", []);
        var before = server.Certificate.Thumbprint;
        var renewed = 0;
        server.Renewed += _ => renewed++;

        server.Renew().ShouldBeFalse();
        server.Renew(force: true).ShouldBeTrue();

        server.Certificate.Thumbprint.ShouldNotBe(before);
        renewed.ShouldBe(1);
        (await HandshakeAsync(server, new PinnedCa(ca.Pin))).Ok.ShouldBeTrue();
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static async Task<(bool Ok, string? Error)> HandshakeAsync(ServerCertificate server, PinnedCa pinned)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepting = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            await using var tls = new SslStream(socket.GetStream());
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = server.Context });
            }
            catch (Exception e) when (e is AuthenticationException or IOException)
            {
                // The client refused us: what some tests expect.
            }
        });

        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port);
        await using var stream = new SslStream(client.GetStream());
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "127.0.0.1",
                RemoteCertificateValidationCallback = pinned.Callback,
            });
            return (true, null);
        }
        catch (AuthenticationException e)
        {
            return (false, pinned.LastError ?? e.Message);
        }
        finally
        {
            client.Close();
            await accepting;
        }
    }

    private sealed class ShiftedTime(TimeSpan by) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + by;
    }
}
