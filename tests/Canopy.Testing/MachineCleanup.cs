using System.Text.Json;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Network;

namespace Canopy.Testing;

/// <summary>
/// Removes from the machine whatever a test's Canopy left under its data dir: processes (instance wrappers, Mosquitto,
/// containerd and its shims), mounts (container root filesystems, pod network namespaces), the CNI rules and bridges of its
/// nodes with their records (and with them their overlays: VXLAN devices, nftables tables), then the data dir. The same cleanup a node runs for a dead node, wider: it also kills what only
/// names the data dir in its environment (exec instances).
/// </summary>
public static class MachineCleanup
{
    public static void ForDataDir(string dataDir)
    {
        KillProcessesUsing(dataDir);
        if (Directory.Exists(dataDir))
        {
            Mounts.DetachUnder(dataDir);
            foreach (var bridge in Bridges(dataDir).Concat(HostNetwork.RecordedBridgesUnder(HostNetwork.DefaultStateDir, dataDir)).Distinct())
            {
                HostNetwork.RemoveNetwork(bridge, HostNetwork.DefaultStateDir);
            }
        }

        try
        {
            Directory.Delete(dataDir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>
    /// Kills every process that names the data dir (wrappers, Mosquitto, containerd, its shims) and all their descendants:
    /// a container's processes are children of a shim and name nothing of the data dir themselves.
    /// </summary>
    public static void KillProcessesUsing(string dataDir) =>
        ProcessTree.KillWhere(words => words.Contains(dataDir, StringComparison.Ordinal), environment: true);

    /// <summary>The CNI bridges the node engines under <paramref name="dataDir"/> configured (their conflists name them).</summary>
    private static List<string> Bridges(string dataDir)
    {
        var bridges = new List<string>();
        foreach (var file in Directory.EnumerateFiles(dataDir, "*.conflist", SearchOption.AllDirectories))
        {
            try
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(file));
                foreach (var plugin in doc.RootElement.GetProperty("plugins").EnumerateArray())
                {
                    if (plugin.TryGetProperty("bridge", out var bridge) && bridge.GetString() is { Length: > 0 } name)
                    {
                        bridges.Add(name);
                    }
                }
            }
            catch (Exception e) when (e is IOException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
            }
        }

        return bridges;
    }
}
