using System.Security.Cryptography;
using System.Text;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// A short, stable name for this node engine's things outside its data dir: the <c>io.canopy.node</c> label on
/// its pods and containers, and its CNI bridge. Derived from the full data dir path, so two node engines on one
/// host (tests, a lab) never touch each other's, and a restart over the same data dir finds its own again.
/// </summary>
internal static class NodeKey
{
    public static string Of(string dataDir)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..12];
    }

    /// <summary>The CNI bridge: interface names are at most 15 characters.</summary>
    public static string BridgeName(string dataDir) => "cnp" + Short(dataDir);

    /// <summary>The 8 hex of the bridge's name: the overlay's device and nftables table carry it too.</summary>
    public static string Short(string dataDir) => Of(dataDir)[..8];

    /// <summary>The key in a bridge's name (<c>cnp&lt;key&gt;</c>): the node's overlay device and nftables table are named by it.</summary>
    public static string OfBridge(string bridge) => bridge[3..];
}
