using System.Diagnostics;
using System.Text.Json;

namespace Canopy.EndToEnd.Tests;

/// <summary>What a `canopy up` node made in the kernel, as a user would look: its bridge, its CNI rules and chains, its processes.</summary>
internal sealed record NodeKernelState(string Bridge, string NetworkName, string Subnet)
{
    /// <summary>From the CNI config the node wrote in its data dir (`up` and `node` put the node's under node/).</summary>
    public static NodeKernelState Of(string dataDir) => OfNode(Path.Combine(dataDir, "node"));

    public static NodeKernelState OfNode(string nodeDataDir)
    {
        var conflist = Path.Combine(nodeDataDir, "containerd", "cni", "10-canopy.conflist");
        using var doc = JsonDocument.Parse(File.ReadAllText(conflist));
        var bridge = doc.RootElement.GetProperty("plugins")[0];
        return new NodeKernelState(
            bridge.GetProperty("bridge").GetString()!,
            doc.RootElement.GetProperty("name").GetString()!,
            bridge.GetProperty("ipam").GetProperty("ranges")[0][0].GetProperty("subnet").GetString()!);
    }

    public bool BridgeExists => Directory.Exists($"/sys/class/net/{Bridge}");

    /// <summary>Rules whose comment names the node's CNI network (the bridge plugin's masquerade, portmap's DNAT).</summary>
    public async Task<List<string>> RulesAsync() =>
        (await IptablesSaveAsync()).Split('\n').Where(l => l.Contains($"name: \\\"{NetworkName}\\\"", StringComparison.Ordinal)).ToList();

    /// <summary>The per-pod chains those rules jump to.</summary>
    public async Task<List<string>> ChainsAsync() =>
        (await RulesAsync()).Select(l => l.Split(' ')).Select(w => Array.IndexOf(w, "-j") is var j and > 0 ? w[j + 1] : "")
            .Where(c => c.StartsWith("CNI-", StringComparison.Ordinal) && !c.StartsWith("CNI-HOSTPORT-", StringComparison.Ordinal))
            .Distinct()
            .ToList();

    public static async Task<bool> ChainExistsAsync(string chain) => (await IptablesSaveAsync()).Contains($":{chain} ", StringComparison.Ordinal);

    private static async Task<string> IptablesSaveAsync()
    {
        using var p = Process.Start(new ProcessStartInfo("iptables-save") { RedirectStandardOutput = true, UseShellExecute = false })!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output;
    }
}
