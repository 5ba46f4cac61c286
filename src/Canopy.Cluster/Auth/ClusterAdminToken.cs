using Canopy.Contracts;
using Canopy.Hosting;

namespace Canopy.Cluster.Auth;

/// <summary>
/// The cluster's own admin credential, for its API when no root token is at hand (the root unreachable, or no root user): made at
/// the first start and kept in <c>&lt;DataDir&gt;/admin-token</c> (mode 0600), like the root's generated admin password.
/// </summary>
public sealed class ClusterAdminToken
{
    private readonly string _token;

    private ClusterAdminToken(string token, string file, bool created)
    {
        _token = token;
        File = file;
        InitialToken = created ? token : null;
    }

    /// <summary>Where the token is kept.</summary>
    public string File { get; }

    /// <summary>The token, only on the start that made it (for the CLI to print once).</summary>
    public string? InitialToken { get; }

    public static ClusterAdminToken LoadOrCreate(string dataDir)
    {
        var file = Path.Combine(dataDir, "admin-token");
        var (token, created) = TokenFile.LoadOrCreate(file, "cat_");
        return new ClusterAdminToken(token, file, created);
    }

    public bool Matches(string given) => Secrets.Same(given, _token);
}
