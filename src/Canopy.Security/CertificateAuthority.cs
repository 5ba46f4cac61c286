using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Canopy.Security;

/// <summary>
/// A tier's own certificate authority, created at its first start in <c>&lt;dir&gt;/ca.crt</c> and <c>ca.key</c> (0600):
/// ECDSA P-256, ten years. It signs only that tier's server certificates, so a client that pins it trusts exactly that
/// server (and its replicas, which share the directory's key).
/// </summary>
public sealed class CertificateAuthority
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(3650);

    /// <summary>
    /// Certificates are valid from a day before they are made: an edge machine's clock may be far behind its parent's (the
    /// tiers tolerate and report skew, see ClockSkew), and a certificate "not yet valid" would cut it off for no gain.
    /// </summary>
    public static readonly TimeSpan Backdate = TimeSpan.FromDays(1);

    private readonly ECDsa _key;

    private CertificateAuthority(X509Certificate2 certificate, ECDsa key)
    {
        Certificate = certificate;
        _key = key;
        Pin = CaPin.Of(certificate);
    }

    /// <summary>The CA certificate, public part only: what servers send after their own certificate.</summary>
    public X509Certificate2 Certificate { get; }

    public string Pin { get; }

    public static string CertificatePath(string directory) => Path.Combine(directory, "ca.crt");

    public static string KeyPath(string directory) => Path.Combine(directory, "ca.key");

    /// <summary>Loads the CA kept in <paramref name="directory"/> or creates it there; <paramref name="name"/> goes into its subject.</summary>
    public static CertificateAuthority LoadOrCreate(string directory, string name, TimeProvider? time = null)
    {
        var certificatePath = CertificatePath(directory);
        var keyPath = KeyPath(directory);
        if (File.Exists(certificatePath) && File.Exists(keyPath))
        {
            var certificate = X509Certificate2.CreateFromPem(File.ReadAllText(certificatePath));
            var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(keyPath));
            return new CertificateAuthority(certificate, key);
        }

        var created = Create(name, (time ?? TimeProvider.System).GetUtcNow());
        Directory.CreateDirectory(directory);
        PemFiles.Write(keyPath, created._key.ExportPkcs8PrivateKeyPem(), secret: true);
        PemFiles.Write(certificatePath, created.Certificate.ExportCertificatePem(), secret: false);
        return created;
    }

    /// <summary>A CA that lives in memory only (tests, throw-away tiers).</summary>
    public static CertificateAuthority Create(string name, DateTimeOffset now)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Escape(name)} CA, O=Canopy", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));

        // Signed by a key that is thrown away at once, not by itself: .NET leaves a self-signed root out of the chain a
        // server sends, and a client that has only a pin needs the CA from the handshake to check the server against it.
        using var anchorKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var anchor = new X500DistinguishedName($"CN={Escape(name)} CA anchor, O=Canopy");
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(anchor, X509SignatureGenerator.CreateForECDsa(anchorKey), now - Backdate, now.Add(Lifetime), serial);
        var publicOnly = X509CertificateLoader.LoadCertificate(signed.Export(X509ContentType.Cert));
        return new CertificateAuthority(publicOnly, key);
    }

    /// <summary>
    /// A server certificate for <paramref name="dnsNames"/> and <paramref name="addresses"/>, valid from a day ago
    /// (clock skew between machines) for <paramref name="lifetime"/>, with its private key.
    /// </summary>
    public X509Certificate2 IssueServer(
        string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, TimeSpan lifetime, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={Escape(commonName)}, O=Canopy", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames.Distinct(StringComparer.OrdinalIgnoreCase))
        {
            names.AddDnsName(dns);
        }

        foreach (var address in addresses.Distinct())
        {
            names.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var notAfter = now.Add(lifetime);
        if (notAfter > Certificate.NotAfter)
        {
            notAfter = Certificate.NotAfter;
        }

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(Certificate.SubjectName, X509SignatureGenerator.CreateForECDsa(_key), now - Backdate, notAfter, serial);
        using var withKey = signed.CopyWithPrivateKey(key);

        // Round-trip through PKCS#12 so the key is a persisted one that SslStream and Kestrel accept on every platform.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }

    private static string Escape(string name) => name.Replace(",", " ", StringComparison.Ordinal).Replace("=", " ", StringComparison.Ordinal);
}
