using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Core.Addressing;

namespace Canopy.NodeEngine.Containerd;

/// <summary>
/// The conflist of Canopy's own containerd: a bridge (the pods' gateway, NAT to the outside) with host-local
/// addresses from the node's /26, then portmap for the SLA's port mappings. With the overlay up, the bridge and the pods'
/// interfaces take its MTU, so that a pod's packets to another node fit in a VXLAN packet unfragmented.
/// </summary>
internal static class CniConfig
{
    /// <summary>
    /// The network's name carries the node's bridge name, and with it the node's key: CNI writes it into the comment of
    /// every iptables rule it adds for a pod, so what a node left behind (a crash before CNI DEL) can be found and removed.
    /// </summary>
    public static string NetworkName(string bridge) => $"canopy-{bridge}";

    /// <summary>True for an IPv4 network in CIDR form (<c>10.18.0.64/26</c>) whose address has no host bits set.</summary>
    public static bool IsValidSubnet(string? subnet) => Ipv4Network.TryParse(subnet, out var network) && network.Prefix is >= 8 and <= 30;

    public static string Render(string bridge, string subnet, string ipamDir, int? mtu = null)
    {
        var bridgePlugin = new JsonObject
        {
            ["type"] = "bridge",
            ["bridge"] = bridge,
            ["isGateway"] = true,
            ["ipMasq"] = true,
            ["hairpinMode"] = true,
        };
        if (mtu is { } value)
        {
            bridgePlugin["mtu"] = value;
        }

        bridgePlugin["ipam"] = new JsonObject
        {
            ["type"] = "host-local",
            ["dataDir"] = ipamDir,
            ["ranges"] = new JsonArray(new JsonArray(new JsonObject { ["subnet"] = subnet })),
            ["routes"] = new JsonArray(new JsonObject { ["dst"] = "0.0.0.0/0" }),
        };
        var conflist = new JsonObject
        {
            ["cniVersion"] = "0.4.0",
            ["name"] = NetworkName(bridge),
            ["plugins"] = new JsonArray(
                bridgePlugin,
                new JsonObject
                {
                    ["type"] = "portmap",
                    ["capabilities"] = new JsonObject { ["portMappings"] = true },
                }),
        };
        return conflist.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    /// <summary>The subnet of a conflist written earlier (this node's, from its last registration); null when none is readable.</summary>
    public static string? ReadSubnet(string conflistPath)
    {
        try
        {
            if (!File.Exists(conflistPath))
            {
                return null;
            }

            var root = JsonNode.Parse(File.ReadAllText(conflistPath));
            var subnet = root?["plugins"]?[0]?["ipam"]?["ranges"]?[0]?[0]?["subnet"]?.GetValue<string>();
            return IsValidSubnet(subnet) ? subnet : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException or InvalidOperationException)
        {
            return null;
        }
    }
}
