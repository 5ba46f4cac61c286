using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Net;
using Canopy.Net;
using Canopy.NodeEngine.Linux;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.NetManager;

/// <summary>
/// The <c>hosts</c> file of each instance (in its directory): the services of its application by name, from the node's current
/// net table. A container sees it at /etc/hosts (a CRI mount), an exec process too (its wrapper binds it over /etc/hosts in a mount
/// namespace of its own). Names without a DNS server: the file is written before the instance starts and rewritten in place
/// (same inode: a bind mount holds the inode, never the path) whenever a new table arrives.
/// </summary>
internal sealed class InstanceHosts(NodeEngineOptions options, ILogger<InstanceHosts>? logger = null)
{
    public const string FileName = "hosts";

    private const string MachineHosts = "/etc/hosts";

    private readonly ILogger _log = logger ?? (ILogger)NullLogger.Instance;

    // One writer at a time, so that an instance starting while a table arrives never writes the older table last.
    private readonly Lock _sync = new();
    private NodeNetTable _table = new();

    /// <summary>
    /// An exec instance gets its own /etc/hosts only where its wrapper can make a mount namespace: as root, with util-linux's
    /// unshare and mount. Elsewhere it runs as before, with the machine's names only.
    /// </summary>
    public static bool ExecCanMount { get; } =
        Environment.IsPrivilegedProcess && Executables.Find("unshare") is not null && Executables.Find("mount") is not null;

    /// <summary>
    /// Writes the instance's file from the current table and returns its path. <paramref name="machineEntries"/>: an exec process
    /// lives on the machine and keeps the machine's own names (its /etc/hosts comes first).
    /// </summary>
    public string Write(string instanceDir, ServiceSpec spec, bool machineEntries)
    {
        var path = Path.Combine(instanceDir, FileName);
        lock (_sync)
        {
            Directory.CreateDirectory(instanceDir);
            WriteInPlace(path, Render(_table, spec, machineEntries));
        }

        return path;
    }

    /// <summary>Takes a new table and rewrites the file of every instance that has one (adopted instances included).</summary>
    public int Update(NodeNetTable table)
    {
        lock (_sync)
        {
            _table = table;
            var rewritten = 0;
            foreach (var (dir, machineEntries) in InstanceDirs())
            {
                var path = Path.Combine(dir, FileName);
                try
                {
                    if (File.Exists(path) && ReadSpec(dir) is { } spec && WriteInPlace(path, Render(table, spec, machineEntries)))
                    {
                        rewritten++;
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Removed meanwhile: nothing to name any more.
                    NetManagerLog.HostsFileFailed(_log, e, path);
                }
            }

            return rewritten;
        }
    }

    private IEnumerable<(string Dir, bool MachineEntries)> InstanceDirs()
    {
        foreach (var (root, exec) in new[] { (options.InstancesDir, true), (options.ContainersDir, false) })
        {
            if (!Directory.Exists(root))
            {
                continue;
            }

            foreach (var dir in Directory.EnumerateDirectories(root))
            {
                yield return (dir, exec);
            }
        }
    }

    private static string Render(NodeNetTable table, ServiceSpec spec, bool machineEntries)
    {
        var names = HostsFile.Render(table, spec.AppName, spec.AppNs);
        if (!machineEntries)
        {
            return names;
        }

        string machine;
        try
        {
            machine = File.Exists(MachineHosts) ? File.ReadAllText(MachineHosts) : "";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            machine = "";
        }

        return machine.Length == 0 || machine.EndsWith('\n') ? machine + names : machine + "\n" + names;
    }

    /// <summary>Truncates and writes the same file (never a rename); false when it already held exactly this.</summary>
    private static bool WriteInPlace(string path, string content)
    {
        var bytes = Encoding.UTF8.GetBytes(content);
        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
        if (file.Length == bytes.Length)
        {
            var current = new byte[bytes.Length];
            file.ReadExactly(current);
            if (current.AsSpan().SequenceEqual(bytes))
            {
                return false;
            }

            file.Position = 0;
        }

        file.SetLength(0);
        file.Write(bytes);
        return true;
    }

    private static ServiceSpec? ReadSpec(string dir)
    {
        try
        {
            var path = Path.Combine(dir, "spec.json");
            return File.Exists(path) ? NodeJson.Deserialize<ServiceSpec>(File.ReadAllBytes(path)) : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
