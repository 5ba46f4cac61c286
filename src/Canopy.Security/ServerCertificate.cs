using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Logging;

namespace Canopy.Security;

/// <summary>
/// A server's certificate from its own CA, renewed while the server runs: after two thirds of its lifetime the next
/// <see cref="Renew"/> issues a new one. New connections get the new certificate (Kestrel asks <see cref="Context"/> per
/// handshake; Mosquitto reloads the files on SIGHUP), open connections and the workloads behind them are untouched.
/// The files <c>server.crt</c> (certificate, then CA) and <c>server.key</c> (0600) are written next to the CA's.
/// </summary>
public sealed partial class ServerCertificate
{
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromDays(90);

    private readonly CertificateAuthority _ca;
    private readonly string _directory;
    private readonly string _commonName;
    private readonly IReadOnlyList<string> _extraNames;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private volatile State _state;

    public ServerCertificate(
        CertificateAuthority ca, string directory, string commonName, IEnumerable<string> extraNames, TimeSpan? lifetime = null,
        TimeProvider? time = null, ILogger? logger = null)
    {
        _ca = ca;
        _directory = directory;
        _commonName = commonName;
        _extraNames = extraNames.Where(n => !string.IsNullOrWhiteSpace(n)).ToList();
        _lifetime = lifetime ?? DefaultLifetime;
        _time = time ?? TimeProvider.System;
        _logger = logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _state = Issue();
    }

    public CertificateAuthority Authority => _ca;

    public X509Certificate2 Certificate => _state.Certificate;

    /// <summary>Certificate plus CA, sent in every handshake so a client can find the CA it pinned.</summary>
    public SslStreamCertificateContext Context => _state.Context;

    public string CertificatePath => Path.Combine(_directory, "server.crt");

    public string KeyPath => Path.Combine(_directory, "server.key");

    /// <summary>Raised after a renewal, with the new certificate (Mosquitto's owner sends SIGHUP).</summary>
    public event Action<X509Certificate2>? Renewed;

    /// <summary>When <see cref="Renew"/> will next issue a certificate: two thirds into the current one's lifetime.</summary>
    public DateTimeOffset RenewAt
    {
        get
        {
            var certificate = _state.Certificate;
            var from = new DateTimeOffset(certificate.NotBefore.ToUniversalTime());
            var to = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            return from + (to - from) * 2 / 3;
        }
    }

    /// <summary>Issues a new certificate when due (or when <paramref name="force"/>); true when it did.</summary>
    public bool Renew(bool force = false)
    {
        lock (_lock)
        {
            if (!force && _time.GetUtcNow() < RenewAt)
            {
                return false;
            }

            _state = Issue();
        }

        LogRenewed(_logger, _commonName, _state.Certificate.NotAfter.ToUniversalTime());
        Renewed?.Invoke(_state.Certificate);
        return true;
    }

    /// <summary>Every name this machine answers to: host name, localhost, and the addresses of its interfaces now.</summary>
    public static (IReadOnlyList<string> Dns, IReadOnlyList<IPAddress> Addresses) LocalNames(IEnumerable<string> extra)
    {
        var dns = new List<string> { "localhost", Dns.GetHostName() };
        var addresses = new List<IPAddress> { IPAddress.Loopback, IPAddress.IPv6Loopback };
        foreach (var name in extra)
        {
            if (IPAddress.TryParse(name, out var address))
            {
                addresses.Add(address);
            }
            else if (Uri.CheckHostName(name) == UriHostNameType.Dns)
            {
                dns.Add(name);
            }
        }

        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                addresses.AddRange(nic.GetIPProperties().UnicastAddresses.Select(u => u.Address).Where(a => !a.IsIPv6LinkLocal));
            }
        }
        catch (NetworkInformationException)
        {
            // Names from the options and loopback still make a usable certificate.
        }

        return (dns, addresses);
    }

    private State Issue()
    {
        var (dns, addresses) = LocalNames(_extraNames);
        var certificate = _ca.IssueServer(_commonName, dns, addresses, _lifetime, _time.GetUtcNow());
        PemFiles.Write(KeyPath, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem(), secret: true);
        PemFiles.Write(CertificatePath, certificate.ExportCertificatePem() + "\n" + _ca.Certificate.ExportCertificatePem() + "\n", secret: false);
        var context = SslStreamCertificateContext.Create(certificate, [_ca.Certificate], offline: true);
        return new State(certificate, context);
    }

    [LoggerMessage(1, LogLevel.Information, "Renewed the TLS certificate of {Name}; valid until {NotAfter:u}")]
    private static partial void LogRenewed(ILogger logger, string name, DateTime notAfter);

    private sealed record State(X509Certificate2 Certificate, SslStreamCertificateContext Context);
}
