namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>What the generated mosquitto.conf contains.</summary>
internal sealed class MosquittoOptions
{
    public bool AllowAnonymous { get; init; } = true;

    /// <summary>User name → password; written to a password_file when non-empty.</summary>
    public IReadOnlyDictionary<string, string> Users { get; init; } = new Dictionary<string, string>();

    /// <summary>Lines of an acl_file (e.g. <c>pattern readwrite nodes/%u/#</c>); none when empty.</summary>
    public IReadOnlyList<string> AclLines { get; init; } = [];

    /// <summary>A TLS listener with these PEM files (certificate chain, key) instead of the plain one.</summary>
    public (string CertFile, string KeyFile)? Tls { get; init; }
}
