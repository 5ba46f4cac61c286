using Canopy.Hosting.Tls;
using Canopy.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Tls;

/// <summary>
/// The root's own CA (in <c>&lt;data dir&gt;/pki/</c>, created at the first start) and the server certificate it signs for the
/// API. Kestrel asks for the certificate at every handshake, so a renewal applies to new connections and leaves open ones
/// (cluster links) alone.
/// </summary>
internal static class RootTls
{
    public static string PkiDirectory(string dataDir) => Path.Combine(dataDir, "pki");

    /// <summary>Loads or creates the CA and registers it, the server certificate and its renewal.</summary>
    public static CertificateAuthority AddRootTls(this WebApplicationBuilder builder, RootOptions options, ApiListener listener)
    {
        var pki = PkiDirectory(options.DataDir);
        var ca = CertificateAuthority.LoadOrCreate(pki, "Canopy root");
        builder.Services.AddSingleton(ca);
        builder.Services.AddSingleton(sp => new ServerCertificate(
            ca, pki, "canopy-root", [listener.Host, .. options.CertificateNames], options.CertificateLifetime,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Canopy.Root.Tls")));
        builder.Services.AddCertificateRenewal(
            sp => sp.GetRequiredService<ServerCertificate>(), listener, "root",
            $"clients pin it with canopy login --ca-fingerprint and cluster join tokens carry it (CA certificate {CertificateAuthority.CertificatePath(pki)})",
            options.CertificateCheckInterval);
        listener.Bind(builder, sp => sp.GetRequiredService<ServerCertificate>());
        return ca;
    }
}
