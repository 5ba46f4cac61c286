using System.Text.Json;
using Canopy.NodeEngine.Containerd;

namespace Canopy.NodeEngine.Tests.Containerd;

public sealed class ContainerdConfigTests
{
    private static readonly ContainerdPaths Paths = new("/var/lib/canopy/node/containerd");

    [Fact]
    public void The_config_keeps_everything_under_the_data_dir_and_sets_what_this_kind_of_host_needs()
    {
        var toml = ContainerdConfig.Render(Paths);

        toml.ShouldContain("root = \"/var/lib/canopy/node/containerd/root\"");
        toml.ShouldContain("state = \"/var/lib/canopy/node/containerd/state\"");
        toml.ShouldContain("address = \"/var/lib/canopy/node/containerd/containerd.sock\"");
        toml.ShouldContain("restrict_oom_score_adj = true");
        toml.ShouldContain("sandbox_image = \"docker.io/canopy/pause:local\"");
        toml.ShouldContain("SystemdCgroup = false");
        toml.ShouldContain("snapshotter = \"overlayfs\"");
        toml.ShouldContain("bin_dir = \"/usr/lib/cni\"");
        toml.ShouldContain("conf_dir = \"/var/lib/canopy/node/containerd/cni\"");
        toml.ShouldContain("max_conf_num = 1");
        toml.ShouldContain("config_path = \"/var/lib/canopy/node/containerd/certs.d\"");
        toml.ShouldContain("stream_server_address = \"127.0.0.1\"");

        // mirrors together with config_path makes the CRI plugin fail to load silently.
        toml.ShouldNotContain("mirrors");
    }

    [Fact]
    public void The_local_registry_is_pulled_from_over_plain_http()
    {
        ContainerdConfig.RenderLocalRegistryHosts().ShouldBe(
            "server = \"http://127.0.0.1:5000\"\n[host.\"http://127.0.0.1:5000\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        Paths.HostsToml("127.0.0.1:5000").ShouldBe("/var/lib/canopy/node/containerd/certs.d/127.0.0.1:5000/hosts.toml");
    }

    [Theory]
    [InlineData("/plain/path", "\"/plain/path\"")]
    [InlineData("/with \"quote\"", "\"/with \\\"quote\\\"\"")]
    [InlineData("/back\\slash", "\"/back\\\\slash\"")]
    public void Paths_are_quoted_as_toml_basic_strings(string value, string expected) =>
        ContainerdConfig.Quote(value).ShouldBe(expected);

    [Fact]
    public void The_conflist_is_a_bridge_on_the_nodes_subnet_with_leases_in_the_data_dir_then_portmap()
    {
        using var json = JsonDocument.Parse(CniConfig.Render("cnp12345678", "10.18.0.64/26", Paths.CniIpamDir));

        var plugins = json.RootElement.GetProperty("plugins");
        var bridge = plugins[0];
        bridge.GetProperty("type").GetString().ShouldBe("bridge");
        bridge.GetProperty("bridge").GetString().ShouldBe("cnp12345678");
        bridge.GetProperty("isGateway").GetBoolean().ShouldBeTrue();
        bridge.GetProperty("ipMasq").GetBoolean().ShouldBeTrue();
        bridge.GetProperty("hairpinMode").GetBoolean().ShouldBeTrue();
        var ipam = bridge.GetProperty("ipam");
        ipam.GetProperty("type").GetString().ShouldBe("host-local");
        ipam.GetProperty("dataDir").GetString().ShouldBe("/var/lib/canopy/node/containerd/cni-ipam");
        ipam.GetProperty("ranges")[0][0].GetProperty("subnet").GetString().ShouldBe("10.18.0.64/26");
        ipam.GetProperty("routes")[0].GetProperty("dst").GetString().ShouldBe("0.0.0.0/0");
        plugins[1].GetProperty("type").GetString().ShouldBe("portmap");
        plugins[1].GetProperty("capabilities").GetProperty("portMappings").GetBoolean().ShouldBeTrue();
        bridge.TryGetProperty("mtu", out _).ShouldBeFalse("without an overlay the bridge plugin keeps its default");
    }

    [Fact]
    public void With_the_overlay_up_the_pods_take_its_mtu()
    {
        using var json = JsonDocument.Parse(CniConfig.Render("cnp12345678", "10.18.0.64/26", Paths.CniIpamDir, mtu: 1450));

        json.RootElement.GetProperty("plugins")[0].GetProperty("mtu").GetInt32().ShouldBe(1450);
        CniConfig.Render("cnp12345678", "10.18.0.64/26", Paths.CniIpamDir, mtu: 1450)
            .ShouldNotBe(CniConfig.Render("cnp12345678", "10.18.0.64/26", Paths.CniIpamDir), "a new MTU rewrites the conflist");
    }

    [Fact]
    public void The_subnet_of_a_written_conflist_is_read_back()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, CniConfig.Render("cnp12345678", "10.18.3.128/26", "/x"));
            CniConfig.ReadSubnet(file).ShouldBe("10.18.3.128/26");
            File.WriteAllText(file, "not json");
            CniConfig.ReadSubnet(file).ShouldBeNull();
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData("10.18.0.0/26", true)]
    [InlineData("10.18.0.192/26", true)]
    [InlineData("10.18.0.1/26", false)]
    [InlineData("10.18.0.0", false)]
    [InlineData("10.18.0.0/33", false)]
    [InlineData("10.18.0/26", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Subnets_must_be_ipv4_networks(string? subnet, bool valid) => CniConfig.IsValidSubnet(subnet).ShouldBe(valid);

    [Fact]
    public void The_node_key_and_bridge_are_stable_per_data_dir_and_differ_between_them()
    {
        NodeKey.Of("/var/lib/canopy/node").ShouldBe(NodeKey.Of("/var/lib/canopy/node/"));
        NodeKey.Of("/var/lib/canopy/node").ShouldNotBe(NodeKey.Of("/var/lib/canopy/node2"));
        var bridge = NodeKey.BridgeName("/var/lib/canopy/node");
        bridge.Length.ShouldBeLessThanOrEqualTo(15, "an interface name");
        bridge.ShouldStartWith("cnp");
    }
}
