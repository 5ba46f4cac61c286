using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Canopy.Mqtt;
using Canopy.Security;
using Canopy.Testing;

namespace Canopy.Benchmarks;

/// <summary>
/// A Mosquitto of the benchmark's own with two listeners on loopback, one plain and one with TLS, the TLS one configured the way
/// the cluster writes it (certfile = server certificate then CA, keyfile; reloaded on SIGHUP). Anonymous: the figures compare
/// the transports, and the cluster's password and ACL checks are the same on both.
/// </summary>
internal sealed class BenchBroker : IAsyncDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-bench-mqtt-").FullName;
    private Process? _process;

    public BenchBroker()
    {
        var pki = Path.Combine(_dir, "pki");
        Ca = CertificateAuthority.LoadOrCreate(pki, "bench CA");
        Server = new ServerCertificate(Ca, pki, "bench-broker", ["127.0.0.1"]);
    }

    public CertificateAuthority Ca { get; }
    public ServerCertificate Server { get; }
    public int PlainPort { get; } = FreePort.Next();
    public int TlsPort { get; } = FreePort.Next();
    public int Pid => _process?.Id ?? 0;

    /// <summary>Client TLS as a node's: the broker's certificate must chain to the pinned CA.</summary>
    public MqttTlsOptions ClientTls => new() { RemoteCertificateValidationCallback = new PinnedCa(Ca.Pin).Callback };

    public async Task StartAsync()
    {
        var config = Path.Combine(_dir, "mosquitto.conf");
        File.WriteAllLines(config,
        [
            $"listener {PlainPort} 127.0.0.1",
            $"listener {TlsPort} 127.0.0.1",
            $"certfile {Server.CertificatePath}",
            $"keyfile {Server.KeyPath}",
            "allow_anonymous true",
            "persistence false",
            "log_dest none",
            .. Environment.UserName == "root" ? ["user root"] : Array.Empty<string>(), // else it drops to 'mosquitto', who cannot read the 0600 key
        ]);
        var psi = new ProcessStartInfo("mosquitto") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(config);
        _process = Process.Start(psi)!;
        await Wait.UntilAsync(() => Task.FromResult(_process.HasExited || (Accepts(PlainPort) && Accepts(TlsPort))), TimeSpan.FromSeconds(10),
            "mosquitto to listen");
        if (_process.HasExited)
        {
            throw new InvalidOperationException($"mosquitto exited with {_process.ExitCode}: {await _process.StandardError.ReadToEndAsync()}");
        }
    }

    /// <summary>The certificate a new TLS connection to the broker is served.</summary>
    public Task<X509Certificate2> HandshakeAsync() => Handshakes.CertificateAsync(TlsPort);

    private static bool Accepts(int port)
    {
        try
        {
            using var tcp = new TcpClient();
            tcp.Connect("127.0.0.1", port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }
}

/// <summary>TLS handshakes that only look at the certificate the server sends.</summary>
internal static class Handshakes
{
    public static async Task<X509Certificate2> CertificateAsync(int port)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port);
        X509Certificate2? seen = null;
        await using var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, certificate, _, _) =>
        {
            seen = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return true;
        });
        await tls.AuthenticateAsClientAsync("127.0.0.1");
        return seen!;
    }
}
