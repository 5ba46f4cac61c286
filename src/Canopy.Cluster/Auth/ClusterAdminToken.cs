using Canopy.Contracts;

namespace Canopy.Cluster.Auth;

/// <summary>
/// The cluster's own admin credential, for its API when no root token is at hand (the root unreachable, or no root user): made at
/// the first start and kept in <c>&lt;DataDir&gt;/admin-token</c> (mode 0600), like the root's generated admin password.
/// </summary>
public sealed class ClusterAdminToken
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;
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
        if (System.IO.File.Exists(file) && System.IO.File.ReadAllText(file).Trim() is { Length: >= Secrets.MinLength } kept)
        {
            return new ClusterAdminToken(kept, file, created: false);
        }

        Directory.CreateDirectory(dataDir);
        var token = Secrets.New("cat_");
        var temp = file + ".tmp";
        System.IO.File.Delete(temp);
        using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        using (var writer = new StreamWriter(stream))
        {
            writer.WriteLine(token);
        }

        System.IO.File.Move(temp, file, overwrite: true);
        return new ClusterAdminToken(token, file, created: true);
    }

    public bool Matches(string given) => Secrets.Same(given, _token);
}
