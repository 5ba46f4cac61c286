using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Canopy.Security;

/// <summary>
/// Checks a server's certificate against a pinned CA and nothing else: not the machine's trust store, not the host name.
/// Each Canopy CA signs only its own server's certificates, so a chain to the pinned CA proves the server; host names
/// would add nothing and break edge sites reached by changing addresses.
/// </summary>
public sealed class PinnedCa(string pin, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private const X509ChainStatusFlags Tolerated = X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.UntrustedRoot;

    public string Pin { get; } = CaPin.Parse(pin);

    /// <summary>Why the last refused certificate was refused, for the caller's error message.</summary>
    public string? LastError { get; private set; }

    /// <summary>For <see cref="SslClientAuthenticationOptions.RemoteCertificateValidationCallback"/> and HttpClientHandler's.</summary>
    public bool Validate(object? sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var ok = Check(certificate as X509Certificate2, chain, out var error);
        LastError = error;
        return ok;
    }

    public RemoteCertificateValidationCallback Callback => Validate;

    /// <summary>Checks <paramref name="leaf"/> with the CA certificates the server sent along (<paramref name="presented"/>).</summary>
    public bool Check(X509Certificate2? leaf, X509Chain? presented, out string? error)
    {
        if (leaf is null)
        {
            error = "the server sent no certificate";
            return false;
        }

        var candidates = Presented(leaf, presented).ToList();
        var ca = candidates.FirstOrDefault(c => CaPin.Of(c) == Pin);
        if (ca is null)
        {
            var offered = candidates.FirstOrDefault(c => c.Thumbprint != leaf.Thumbprint && c.Subject == leaf.Issuer) ?? leaf;
            error = $"the server's certificate authority is {CaPin.Of(offered)}, not the pinned {Pin}: " +
                "this is another server, or it was set up again; check the address, or pin its new CA if you trust it";
            return false;
        }

        // The CA is not self-signed (see CertificateAuthority.Create), so the chain ends in an anchor nobody has: allow
        // that, then demand that the certificate right above the server's is the pinned CA and that nothing else is wrong.
        using var verify = new X509Chain();
        verify.ChainPolicy.ExtraStore.Add(ca);
        verify.ChainPolicy.VerificationFlags = X509VerificationFlags.AllowUnknownCertificateAuthority;
        verify.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        verify.ChainPolicy.DisableCertificateDownloads = true;
        verify.ChainPolicy.VerificationTime = _time.GetUtcNow().UtcDateTime;
        verify.ChainPolicy.VerificationTimeIgnored = false;
        verify.Build(leaf);
        var problems = verify.ChainStatus.Where(s => (s.Status & ~Tolerated) != 0).ToList();
        if (problems.Count == 0 && verify.ChainElements.Count >= 2 && CaPin.Of(verify.ChainElements[1].Certificate) == Pin)
        {
            error = null;
            return true;
        }

        var now = _time.GetUtcNow();
        error = leaf.NotAfter.ToUniversalTime() < now
            ? $"the server's certificate expired at {leaf.NotAfter.ToUniversalTime():u} (now {now.UtcDateTime:u}); the server renews it by itself while it runs, so it may be stopped or its clock may be wrong"
            : leaf.NotBefore.ToUniversalTime() > now
                ? $"the server's certificate is valid only from {leaf.NotBefore.ToUniversalTime():u} (now {now.UtcDateTime:u}): one of the two clocks is wrong"
                : "the server's certificate does not chain to the pinned CA: " +
                  string.Join("; ", problems.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return false;
    }

    private static IEnumerable<X509Certificate2> Presented(X509Certificate2 leaf, X509Chain? presented)
    {
        if (presented is not null)
        {
            foreach (var certificate in presented.ChainPolicy.ExtraStore)
            {
                yield return certificate;
            }

            foreach (var element in presented.ChainElements)
            {
                yield return element.Certificate;
            }
        }

        yield return leaf;
    }
}
