using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Network;

/// <summary>
/// Ownership of what nodes create in the kernel, against real bridges, routes and iptables rules: a start removes what dead nodes
/// left and never touches a live node, an unrecorded bridge or another namespace's node. Records go to a directory of the test's own.
/// </summary>
public sealed class HostNetworkTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnp-hn-").FullName;
    private readonly List<string> _links = [];
    private readonly List<string> _networks = [];
    private readonly List<IDisposable> _held = [];

    public HostNetworkTests() => ContainerPrerequisites.Check();

    private string StateDir => Path.Combine(_root, "run");

    public void Dispose()
    {
        foreach (var held in _held)
        {
            held.Dispose();
        }

        foreach (var network in _networks)
        {
            HostNetwork.RemoveCniRules(network);
        }

        foreach (var link in _links)
        {
            HostNetwork.DeleteLink(link);
        }

        Directory.Delete(_root, recursive: true);
    }

    [Fact]
    public async Task A_start_removes_what_dead_nodes_left_and_nothing_of_live_unrecorded_or_foreign_nodes()
    {
        var dead = await NodeWithKernelStateAsync("dead", "10.18.250.0/26", release: true);
        var live = await NodeWithKernelStateAsync("live", "10.18.250.64/26", release: false);
        Directory.Delete(dead.DataDir, recursive: true);
        Directory.Delete(live.DataDir, recursive: true); // gone too, but its node engine still holds its lock
        var unrecorded = NodeKey.BridgeName(Path.Combine(_root, "unrecorded"));
        await AddBridgeAsync(unrecorded, "10.18.250.129/26");
        var foreign = Path.Combine(StateDir, "cnpf0f0f0f0.json");
        await File.WriteAllTextAsync(foreign, File.ReadAllText(dead.Network.RecordPath).Replace(HostNetwork.NetNs, "net:[1]").Replace(dead.Network.Bridge, "cnpf0f0f0f0"));
        dead.Network.RecordPath.ShouldNotBe(foreign);

        using var claim = Node("starting").Network.TryClaim(out var problem).ShouldNotBeNull(problem);

        Directory.Exists($"/sys/class/net/{dead.Network.Bridge}").ShouldBeFalse("the dead node's bridge is removed");
        CniRules.Mentions((await SaveAsync()).Output, dead.Network.NetworkName).ShouldBeFalse("so are its CNI rules");
        File.Exists(dead.Network.RecordPath).ShouldBeFalse("and its record");
        Directory.Exists($"/sys/class/net/{live.Network.Bridge}").ShouldBeTrue("a node that holds its lock is alive");
        CniRules.Mentions((await SaveAsync()).Output, live.Network.NetworkName).ShouldBeTrue();
        Directory.Exists($"/sys/class/net/{unrecorded}").ShouldBeTrue("a bridge without a record is never removed on a guess");
        File.Exists(foreign).ShouldBeTrue("another network namespace's node is not this one's to clean");
    }

    [Fact]
    public async Task The_subnets_in_use_are_other_routes_and_the_subnets_other_nodes_recorded_but_not_the_nodes_own()
    {
        var own = await NodeWithKernelStateAsync("own", "10.18.251.0/26", release: false);
        var other = Node("other");
        _held.Add(other.Network.TryClaim(out _).ShouldNotBeNull());
        other.Network.RecordSubnet("10.18.251.64/26");

        var inUse = own.Network.SubnetsInUse();

        inUse.ShouldContain("10.18.251.64/26", "recorded before any container of it made a route");
        inUse.ShouldNotContain("10.18.251.0/26");
        other.Network.SubnetsInUse().ShouldContain("10.18.251.0/26");
    }

    [Fact]
    public async Task A_route_that_is_not_the_nodes_own_clashes_and_is_named_with_who_made_it()
    {
        var own = await NodeWithKernelStateAsync("own", "10.18.252.0/26", release: false);
        var stranger = "ovl" + Guid.NewGuid().ToString("N")[..8];
        var lan = "ovl" + Guid.NewGuid().ToString("N")[..8];
        await AddBridgeAsync(stranger, "10.18.252.65/26");
        await AddBridgeAsync(lan, "10.18.253.1/23");

        var (clash, broader) = own.Network.Overlaps("10.18.252.0/26");

        clash.ShouldBeNull("its own bridge is not a clash, and the other /26 is beside it");
        broader.ShouldHaveSingleItem().ToString().ShouldBe($"10.18.252.0/23 dev {lan}");
        var other = Node("other").Network;
        other.Describe(other.Overlaps("10.18.252.0/26").Clash.ShouldNotBeNull())
            .ShouldBe($"route 10.18.252.0/26 dev {own.Network.Bridge}, the bridge of the Canopy node with data dir {own.DataDir}");
        other.Describe(other.Overlaps("10.18.252.64/26").Clash.ShouldNotBeNull())
            .ShouldBe($"route 10.18.252.64/26 dev {stranger}, not created by Canopy");
    }

    [Fact]
    public void A_second_node_engine_over_the_same_data_dir_cannot_claim_it()
    {
        var first = Node("twice");
        using var claim = first.Network.TryClaim(out _).ShouldNotBeNull();

        Node("twice").Network.TryClaim(out var problem).ShouldBeNull();

        problem.ShouldNotBeNull().ShouldContain("another node engine runs over the data dir");
    }

    private (string DataDir, HostNetwork Network) Node(string name)
    {
        var dataDir = Path.Combine(_root, name);
        Directory.CreateDirectory(Path.Combine(dataDir, "containerd"));
        File.WriteAllText(Path.Combine(dataDir, "containerd", "config.toml"), "# test\n");
        var options = new NodeEngineOptions { DataDir = dataDir, NetworkStateDir = StateDir };
        var network = new HostNetwork(options, new NodeSubnet(options));
        _links.Add(network.Bridge);
        _networks.Add(network.NetworkName);
        return (dataDir, network);
    }

    /// <summary>A node that claimed its network, with a bridge for its subnet and a pod's masquerade rules as CNI writes them.</summary>
    private async Task<(string DataDir, HostNetwork Network)> NodeWithKernelStateAsync(string name, string subnet, bool release)
    {
        var node = Node(name);
        var claim = node.Network.TryClaim(out var problem).ShouldNotBeNull(problem);
        node.Network.RecordSubnet(subnet);
        var gateway = subnet.Replace(".0/", ".1/").Replace(".64/", ".65/");
        await AddBridgeAsync(node.Network.Bridge, gateway);
        var chain = "CNI-" + Guid.NewGuid().ToString("N")[..24];
        var comment = $"name: \"{node.Network.NetworkName}\" id: \"test-{name}\"";
        await IptablesAsync("-t", "nat", "-N", chain);
        await IptablesAsync("-t", "nat", "-A", chain, "-m", "comment", "--comment", comment, "-j", "ACCEPT");
        await IptablesAsync("-t", "nat", "-A", "POSTROUTING", "-s", subnet.Split('/')[0] + "/32", "-m", "comment", "--comment", comment, "-j", chain);
        if (release)
        {
            claim.Dispose();
        }
        else
        {
            _held.Add(claim);
        }

        return node;
    }

    private async Task AddBridgeAsync(string name, string address)
    {
        _links.Add(name);
        foreach (var args in new[] { new[] { "link", "add", name, "type", "bridge" }, ["addr", "add", address, "dev", name], ["link", "set", name, "up"] })
        {
            var (code, output) = await HostCommand.RunAsync(ContainerPrerequisites.Ip, args);
            code.ShouldBe(0, output);
        }
    }

    private static async Task IptablesAsync(params string[] args)
    {
        var (code, output) = await HostCommand.RunAsync("iptables", ["--wait", .. args]);
        code.ShouldBe(0, output);
    }

    private static Task<(int ExitCode, string Output)> SaveAsync() => HostCommand.RunAsync("iptables-save", []);
}
