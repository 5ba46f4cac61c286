using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// The pod sandbox ("pause") image, built on the node from busybox-static: nodes may have no internet, and the
/// sandbox only has to hold the pod's namespaces and end on SIGTERM. Written as a docker-archive tar
/// (manifest.json, config, one layer) that <c>ctr images import</c> reads. Ustar entries with fixed timestamps (PAX
/// would add the current time) make every node build the same image id.
/// </summary>
internal static class PauseImage
{
    /// <summary>Normalized by the import to <see cref="ContainerdConfig.PauseImage"/>.</summary>
    public const string RepoTag = "canopy/pause:local";

    /// <summary>Debian's busybox-static installs it here (and replaces the dynamically linked busybox package).</summary>
    public const string DefaultBusybox = "/bin/busybox";

    /// <summary>Sleeps in the background so that the shell can take TERM at once (a foreground sleep would delay it).</summary>
    public static readonly IReadOnlyList<string> Entrypoint =
        ["/bin/sh", "-c", "trap 'exit 0' TERM INT; while :; do sleep 3600 & wait $!; done"];

    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// Null when <paramref name="busyboxPath"/> can be the whole pause image: a statically linked executable. Otherwise why not,
    /// naming the file and how to get a static one. An image has no loader or libraries: a dynamic busybox dies at once, and
    /// with it every pod (runc's <c>namespace path: lstat /proc/N/ns/ipc: no such file or directory</c>).
    /// </summary>
    public static string? Problem(string busyboxPath) => Read(busyboxPath, out _);

    /// <summary>Builds the archive; refuses (<see cref="InvalidOperationException"/>, saying why) anything but a static executable.</summary>
    public static void WriteArchive(string busyboxPath, string architecture, string archivePath)
    {
        if (Read(busyboxPath, out var busybox) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        var layer = BuildLayer(busybox);
        var diffId = Sha256(layer);
        var config = BuildConfig(architecture, diffId);
        var configName = Sha256(config) + ".json";
        var layerName = diffId + "/layer.tar";
        var manifest = new JsonArray(new JsonObject
        {
            ["Config"] = configName,
            ["RepoTags"] = new JsonArray(RepoTag),
            ["Layers"] = new JsonArray(layerName),
        });

        var temp = archivePath + ".tmp";
        using (var file = File.Create(temp))
        using (var tar = new TarWriter(file, TarEntryFormat.Ustar, leaveOpen: false))
        {
            AddFile(tar, "manifest.json", System.Text.Encoding.UTF8.GetBytes(manifest.ToJsonString()), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            AddFile(tar, configName, config, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            AddDirectory(tar, diffId + "/");
            AddFile(tar, layerName, layer, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(temp, archivePath, overwrite: true);
    }

    /// <summary>The busybox's bytes, or why they cannot be the pause image (short: it ends up in placement details too).</summary>
    private static string? Read(string busyboxPath, out byte[] content)
    {
        const string need = "the pause image needs a static busybox: apt-get install busybox-static";
        content = [];
        try
        {
            content = File.ReadAllBytes(busyboxPath);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return $"{busyboxPath} is missing; {need}";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"{busyboxPath} cannot be read ({e.Message}); {need}";
        }

        var found = ElfExecutable.Inspect(content);
        return found.Linking switch
        {
            ElfLinking.Static => null,
            ElfLinking.Dynamic => $"{busyboxPath} is dynamically linked (loader {found.Interpreter ?? "unknown"}); {need} (it replaces Debian's busybox)",
            _ => $"{busyboxPath} is not an ELF executable; {need}",
        };
    }

    /// <summary>bin/busybox with the two applets the entrypoint runs, and the directories runc mounts onto.</summary>
    private static byte[] BuildLayer(byte[] busybox)
    {
        const UnixFileMode dirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute |
                                     UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        using var stream = new MemoryStream();
        using (var tar = new TarWriter(stream, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var dir in new[] { "bin/", "dev/", "etc/", "proc/", "sys/" })
            {
                AddDirectory(tar, dir, dirMode);
            }

            AddDirectory(tar, "tmp/", dirMode | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite | UnixFileMode.StickyBit);
            AddFile(tar, "bin/busybox", busybox, dirMode);
            foreach (var applet in new[] { "sh", "sleep" })
            {
                tar.WriteEntry(new UstarTarEntry(TarEntryType.SymbolicLink, "bin/" + applet)
                {
                    LinkName = "busybox",
                    ModificationTime = Epoch,
                    Mode = dirMode,
                });
            }
        }

        return stream.ToArray();
    }

    private static byte[] BuildConfig(string architecture, string diffId)
    {
        var config = new JsonObject
        {
            ["architecture"] = architecture,
            ["os"] = "linux",
            ["created"] = "1970-01-01T00:00:00Z",
            ["config"] = new JsonObject
            {
                ["Env"] = new JsonArray("PATH=/bin"),
                ["Entrypoint"] = new JsonArray(Entrypoint.Select(a => (JsonNode?)JsonValue.Create(a)).ToArray()),
                ["WorkingDir"] = "/",
            },
            ["rootfs"] = new JsonObject
            {
                ["type"] = "layers",
                ["diff_ids"] = new JsonArray("sha256:" + diffId),
            },
        };
        return System.Text.Encoding.UTF8.GetBytes(config.ToJsonString());
    }

    private static void AddFile(TarWriter tar, string name, byte[] content, UnixFileMode mode)
    {
        tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
        {
            DataStream = new MemoryStream(content, writable: false),
            ModificationTime = Epoch,
            Mode = mode,
        });
    }

    private static void AddDirectory(
        TarWriter tar, string name,
        UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)
    {
        tar.WriteEntry(new UstarTarEntry(TarEntryType.Directory, name) { ModificationTime = Epoch, Mode = mode });
    }

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
