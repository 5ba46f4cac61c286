using System.Globalization;
using System.Text;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;

namespace Canopy.Net;

/// <summary>
/// A node's service-IP rules as one nftables script: the table <c>ip canopy_&lt;key&gt;</c> declared, deleted and declared again
/// with its new content, which <c>nft -f</c> applies as one transaction (connections never see a table half built).
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>NAT at <c>prerouting</c> (connections from containers) and <c>output</c> (from host processes, exec instances): a service
/// IP's first packet is sent to an instance; conntrack keeps the choice for the connection.</item>
/// <item>Round robin (<c>rr_ip</c>): <c>numgen inc mod N</c>, per connection. Closest (<c>closest_ip</c>): the one instance whose node
/// has the lowest measured round-trip time (this node 0, unmeasured last, ties by instance number).</item>
/// <item>A container instance keeps the port; an exec instance listens on its node's address at its own host ports, so its
/// ports are translated, per protocol.</item>
/// <item>A connection to a service IP that no rule translated (no instance, or a port no instance serves) is refused at once
/// (TCP reset, ICMP port unreachable) instead of waiting for a timeout.</item>
/// <item>A connection sent to an instance outside the overlay (an exec instance at another node's underlay address) leaves
/// with this node's address (masquerade), so that the answer comes back the same way.</item>
/// </list>
/// The text depends only on the table's content (services and instances are sorted), so an identical table renders identical
/// text and the node can skip the apply.
/// </remarks>
public static class NftRules
{
    /// <param name="key">The node's key (names the table, the VXLAN device and the bridge).</param>
    /// <param name="ownNodeId">This node's id: its instances are the closest (RTT 0). Null before registration.</param>
    /// <param name="latency">Measured round-trip times to other nodes, by node id.</param>
    public static string Render(string key, string? ownNodeId, NodeNetTable table, IReadOnlyDictionary<string, double> latency)
    {
        var name = NetNames.Table(key);
        var routes = Routes(ownNodeId, table, latency);
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"table ip {name} {{}}\ndelete table ip {name}\ntable ip {name} {{\n");
        text.Append("  set service_ips {\n    type ipv4_addr\n");
        if (routes.Count > 0)
        {
            text.Append("    elements = { ").AppendJoin(", ", routes.Select(r => r.Ip)).Append(" }\n");
        }

        text.Append("  }\n");
        Chain(text, "prerouting", "type nat hook prerouting priority dstnat; policy accept;", ["jump services"]);
        Chain(text, "output", "type nat hook output priority -100; policy accept;", ["jump services"]);
        Chain(text, "services", null, routes.SelectMany(r => DnatRules(r.Ip, r.Targets)));
        Chain(text, "postrouting", "type nat hook postrouting priority srcnat; policy accept;",
            [$"ct original ip daddr @service_ips oifname != {{ \"{NetNames.Device(key)}\", \"{NetNames.Bridge(key)}\", \"lo\" }} masquerade"]);
        string[] refuse = ["ip daddr @service_ips meta l4proto tcp reject with tcp reset", "ip daddr @service_ips reject"];
        Chain(text, "forward_refuse", "type filter hook forward priority filter; policy accept;", refuse);
        Chain(text, "output_refuse", "type filter hook output priority filter; policy accept;", refuse);
        text.Append("}\n");
        return text.ToString();
    }

    /// <summary>
    /// The instance a closest service IP leads to: lowest round-trip time to its node (this node 0, unmeasured last), then the
    /// lowest instance number. Null without instances.
    /// </summary>
    public static NetInstance? Closest(IEnumerable<NetInstance> instances, string? ownNodeId, IReadOnlyDictionary<string, double> latency) =>
        Sorted(instances)
            .OrderBy(i => i.NodeId == ownNodeId ? 0 : latency.TryGetValue(i.NodeId, out var rtt) && double.IsFinite(rtt) ? Math.Max(rtt, 0) : double.PositiveInfinity)
            .FirstOrDefault();

    /// <summary>Each valid service IP once (the first service that names it wins), with the instances it leads to.</summary>
    internal static IReadOnlyList<(string Ip, IReadOnlyList<NetInstance> Targets)> Routes(
        string? ownNodeId, NodeNetTable table, IReadOnlyDictionary<string, double> latency)
    {
        var routes = new List<(string, IReadOnlyList<NetInstance>)>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var service in table.Services.OrderBy(s => s.ServiceId, StringComparer.Ordinal))
        {
            var instances = Sorted(service.Instances.Where(IsUsable)).ToList();
            if (Ipv4.IsValid(service.RrIp) && seen.Add(service.RrIp!))
            {
                routes.Add((service.RrIp!, instances));
            }

            if (Ipv4.IsValid(service.ClosestIp) && seen.Add(service.ClosestIp!))
            {
                routes.Add((service.ClosestIp!, Closest(instances, ownNodeId, latency) is { } best ? [best] : []));
            }
        }

        return routes;
    }

    private static IEnumerable<NetInstance> Sorted(IEnumerable<NetInstance> instances) =>
        instances.OrderBy(i => i.InstanceNumber).ThenBy(i => i.NodeId, StringComparer.Ordinal).ThenBy(i => i.Address, StringComparer.Ordinal);

    private static bool IsUsable(NetInstance instance) => Ipv4.IsValid(instance.Address) && instance.Ports.All(IsUsable);

    private static bool IsUsable(NetPort port) =>
        port.Protocol is "tcp" or "udp" && port.ServicePort is > 0 and <= 65535 && port.TargetPort is > 0 and <= 65535;

    /// <summary>
    /// Per (protocol, port) that some instance translates: the instances serving it (a port-less one keeps the port); then, for
    /// any other port, the port-less instances. One virtualization per service makes it one or the other; both still render.
    /// </summary>
    private static IEnumerable<string> DnatRules(string ip, IReadOnlyList<NetInstance> targets)
    {
        var mapped = targets.SelectMany(t => t.Ports).Select(p => (p.Protocol, p.ServicePort)).Distinct()
            .OrderBy(p => p.Protocol, StringComparer.Ordinal).ThenBy(p => p.ServicePort);
        foreach (var (protocol, port) in mapped)
        {
            var destinations = new List<(string Address, int Port)>();
            foreach (var target in targets)
            {
                var translated = target.Ports.Count == 0 ? port : target.Ports.FirstOrDefault(p => p.Protocol == protocol && p.ServicePort == port)?.TargetPort;
                if (translated is { } to)
                {
                    destinations.Add((target.Address, to));
                }
            }

            var translation = destinations.Count == 1
                ? string.Create(CultureInfo.InvariantCulture, $"to {destinations[0].Address}:{destinations[0].Port}")
                : "ip addr . port to " + Choice(destinations.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.Address} . {d.Port}")).ToList());
            yield return $"ip daddr {ip} {protocol} dport {port.ToString(CultureInfo.InvariantCulture)} dnat {translation}";
        }

        var portless = targets.Where(t => t.Ports.Count == 0).Select(t => t.Address).ToList();
        if (portless.Count > 0)
        {
            yield return $"ip daddr {ip} dnat to {(portless.Count == 1 ? portless[0] : Choice(portless))}";
        }
    }

    private static string Choice(IReadOnlyList<string> destinations) =>
        $"numgen inc mod {destinations.Count.ToString(CultureInfo.InvariantCulture)} map {{ "
        + string.Join(", ", destinations.Select((d, i) => $"{i.ToString(CultureInfo.InvariantCulture)} : {d}")) + " }";

    private static void Chain(StringBuilder text, string name, string? hook, IEnumerable<string> rules)
    {
        text.Append("  chain ").Append(name).Append(" {\n");
        if (hook is not null)
        {
            text.Append("    ").Append(hook).Append('\n');
        }

        foreach (var rule in rules)
        {
            text.Append("    ").Append(rule).Append('\n');
        }

        text.Append("  }\n");
    }
}
