using Canopy.Contracts;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.Security;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>
/// Where a node keeps instances' secrets. At rest, in the instance's <c>spec.json</c>, only sealed with the node's own key
/// (<c>&lt;DataDir&gt;/secrets.key</c>, 0600, made when first needed). File secrets are written, mode 0400 in directories of
/// mode 0700, under <c>/run/canopy/secrets/&lt;node key&gt;/&lt;instance&gt;/</c> plus the file's path in the instance (<c>/run</c> is
/// a tmpfs: nothing reaches a disk, and a reboot leaves nothing), outside the data dir, and removed with the instance.
/// </summary>
internal sealed class InstanceSecrets
{
    /// <summary>Set for exec instances with file secrets: the file for <c>/etc/app/key</c> is <c>$CANOPY_SECRETS_DIR/etc/app/key</c>.</summary>
    public const string DirVariable = "CANOPY_SECRETS_DIR";

    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly Lazy<SecretBox> _box;
    private readonly string _root;

    public InstanceSecrets(string dataDir, string runDir = "/run/canopy/secrets")
    {
        _box = new(() => SecretBox.LoadOrCreate(Path.Combine(dataDir, "secrets.key")));
        _root = Path.Combine(runDir, NodeKey.Of(dataDir));
    }

    public string Seal(byte[] plaintext) => _box.Value.Seal(plaintext);

    public byte[] Open(string sealedValue) => _box.Value.Open(sealedValue);

    public string DirOf(InstanceKey key) => Path.Combine(_root, key.ToString());

    /// <summary>
    /// Writes the spec's file secrets afresh (a previous run's go first) and answers each with its host path; empty when it has none.
    /// </summary>
    public IReadOnlyList<(string Target, string HostPath)> WriteFiles(InstanceKey key, ServiceSpec spec)
    {
        Remove(key);
        var files = spec.Secrets?.Files ?? [];
        if (files.Count == 0)
        {
            return [];
        }

        var dir = DirOf(key);
        CreatePrivateDirectory(_root);
        CreatePrivateDirectory(dir);
        var written = new List<(string, string)>();
        foreach (var file in files)
        {
            // The SLA's rules allow only plain absolute paths (no '..'), so the file stays inside the instance's directory.
            var hostPath = Path.Combine(dir, file.Target.TrimStart('/'));
            CreatePrivateDirectory(Path.GetDirectoryName(hostPath)!);
            using (var stream = new FileStream(hostPath, new FileStreamOptions
            {
                Mode = FileMode.CreateNew,
                Access = FileAccess.Write,
                UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
                stream.Write(System.Text.Encoding.UTF8.GetBytes(file.Value));
            }

            File.SetUnixFileMode(hostPath, UnixFileMode.UserRead);
            written.Add((file.Target, hostPath));
        }

        return written;
    }

    /// <summary>
    /// Gives an exec instance's files to the unprivileged user it runs as: its own directory and files become that uid's,
    /// the directories above it only let it pass (0711), so no instance lists or reads another's.
    /// </summary>
    public void GiveTo(InstanceKey key, int uid)
    {
        const UnixFileMode PassOnly = DirMode | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(Path.GetDirectoryName(_root)!, PassOnly);
        File.SetUnixFileMode(_root, PassOnly);
        var dir = DirOf(key);
        foreach (var path in Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Prepend(dir))
        {
            if (!Linux.LibC.ChangeOwner(path, uid, uid))
            {
                throw new IOException($"cannot give the secret file {path} to the instance's user {uid}: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
    }

    public void Remove(InstanceKey key)
    {
        var dir = DirOf(key);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void CreatePrivateDirectory(string path)
    {
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, DirMode);
        }
    }
}
