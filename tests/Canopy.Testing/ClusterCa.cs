using System.Security.Cryptography.X509Certificates;
using Canopy.Security;

namespace Canopy.Testing;

/// <summary>
/// A cluster's CA as tests meet it: read from (or made ahead in) the cluster's data dir, its pin appended to node join tokens, and
/// HTTP clients that trust exactly it, as a node does.
/// </summary>
public static class ClusterCa
{
    public static string Directory(string clusterDataDir) => Path.Combine(clusterDataDir, "pki");

    /// <summary>The pin of the CA in <paramref name="clusterDataDir"/>; the CA is made there first when the cluster has not run yet.</summary>
    public static string PinOf(string clusterDataDir, string clusterName = "cluster") =>
        CertificateAuthority.LoadOrCreate(Directory(clusterDataDir), clusterName).Pin;

    /// <summary>The pin of the CA in <paramref name="clusterDataDir"/>, once the cluster made it.</summary>
    public static string? ExistingPin(string clusterDataDir)
    {
        var path = CertificateAuthority.CertificatePath(Directory(clusterDataDir));
        return File.Exists(path) ? CaPin.Of(X509Certificate2.CreateFromPem(File.ReadAllText(path))) : null;
    }

    /// <summary><c>&lt;secret&gt;.&lt;pin&gt;</c>, as the cluster hands node join tokens out.</summary>
    public static string NodeJoinToken(string secret, string pin) => JoinToken.Format(secret, pin);

    /// <summary>An HTTP handler that trusts only the CA pinned by <paramref name="pin"/>.</summary>
    public static SocketsHttpHandler PinnedHandler(string pin)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = new PinnedCa(pin).Callback;
        return handler;
    }
}
