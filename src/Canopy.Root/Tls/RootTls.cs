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
            ca, pki, "canopy-root", [listener.Host, .. options.CertificateNames, .. ReplicaHosts(options)], options.CertificateLifetime,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILoggerFactory>().CreateLogger("Canopy.Root.Tls")));
        builder.Services.AddCertificateRenewal(
            sp => sp.GetRequiredService<ServerCertificate>(), listener, "root",
            $"clients pin it with canopy login --ca-fingerprint and cluster join tokens carry it (CA certificate {CertificateAuthority.CertificatePath(pki)})",
            options.CertificateCheckInterval);
        listener.Bind(builder, sp => sp.GetRequiredService<ServerCertificate>());
        return ca;
    }

    /// <summary>
    /// The files replicas of one root share (<see cref="RootOptions.ReplicaOf"/>): the CA that join tokens and CLI logins pin, and
    /// the key that seals secrets. Each replica's server certificate is its own, signed by that CA for every replica's host.
    /// </summary>
    public static IReadOnlyList<string> SharedFiles { get; } = ["pki/ca.crt", "pki/ca.key", "secrets.key"];

    /// <summary>Takes the shared files from <see cref="RootOptions.ReplicaOf"/> into a new replica's data dir; returns those copied.</summary>
    public static IReadOnlyList<string> AdoptReplicaKeys(RootOptions options) =>
        options.ReplicaOf is { Length: > 0 } source
            ? SharedKeyMaterial.Adopt(Path.GetFullPath(source), options.DataDir, SharedFiles, "--replica-of")
            : [];

    private static IEnumerable<string> ReplicaHosts(RootOptions options) =>
        options.ReplicaUrls.Append(options.AdvertisedUrl()).Select(u => Uri.TryCreate(u, UriKind.Absolute, out var url) ? url.Host : null).OfType<string>();
}
