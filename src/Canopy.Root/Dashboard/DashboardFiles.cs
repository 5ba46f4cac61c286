using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Canopy.Root.Dashboard;

/// <summary>One file of the dashboard as it is served: bytes, media type and a validator for conditional requests.</summary>
internal sealed record DashboardFile(byte[] Content, string ContentType, string ETag);

/// <summary>
/// The dashboard's static files, embedded in the root assembly (resources named <c>dashboard/...</c>), read once: the root
/// stays one executable and serves them with nothing downloaded at build or run time.
/// </summary>
internal sealed class DashboardFiles
{
    private const string Prefix = "dashboard/";

    private static readonly FrozenDictionary<string, string> MediaTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".svg"] = "image/svg+xml",
        [".json"] = "application/json",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, DashboardFile> _files;

    private DashboardFiles(FrozenDictionary<string, DashboardFile> files) => _files = files;

    public IEnumerable<string> Paths => _files.Keys;

    /// <summary>The file at <paramref name="path"/> ("index.html", "pages/overview.js"); null when there is none.</summary>
    public DashboardFile? Find(string path) => _files.GetValueOrDefault(path);

    public static DashboardFiles Load(Assembly assembly)
    {
        var files = new Dictionary<string, DashboardFile>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            // A file type the dashboard does not use is not served: no guessing of media types.
            if (!MediaTypes.TryGetValue(Path.GetExtension(name), out var type))
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(name)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var content = copy.ToArray();
            var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"";
            files[name[Prefix.Length..].Replace('\\', '/')] = new DashboardFile(content, type, etag);
        }

        return new DashboardFiles(files.ToFrozenDictionary(StringComparer.Ordinal));
    }
}
