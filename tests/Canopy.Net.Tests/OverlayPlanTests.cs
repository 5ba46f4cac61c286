using Canopy.Contracts.Net;
using static Canopy.Net.Tests.Tables;

namespace Canopy.Net.Tests;

public class OverlayPlanTests
{
    private const string Device = "cnv0badf00d";
    private const string MacB = "02:63:00:00:00:0b";
    private const string MacC = "02:63:00:00:00:0c";

    [Fact]
    public void Each_peer_gets_a_route_a_neighbour_and_a_forwarding_entry()
    {
        var desired = OverlayPlan.Desired("10.201.0.1", "10.18.0.1", [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB, 4790)]);

        desired.Routes.ShouldBe([new OverlayRoute("10.18.0.64/26", "10.18.0.65", null), new OverlayRoute("10.30.0.0/16", null, "10.18.0.1")]);
        desired.Neighbours.ShouldBe([new OverlayNeighbour("10.18.0.65", MacB)]);
        desired.Forwarding.ShouldBe([new OverlayForwarding(MacB, "10.201.0.2", 4790)]);
    }

    [Fact]
    public void Peers_on_this_machine_and_invalid_peers_are_skipped()
    {
        var desired = OverlayPlan.Desired("10.201.0.1", null,
        [
            Peer("self", "10.201.0.1", "10.18.0.0/26", MacC),
            Peer("bad-ip", "10.201.0", "10.18.0.64/26", MacB),
            Peer("bad-subnet", "10.201.0.3", "10.18.0.65/26", MacB),
            Peer("bad-mac", "10.201.0.3", "10.18.0.128/26", "01:00:5e:00:00:01"),
            Peer("bad-port", "10.201.0.3", "10.18.0.128/26", MacB, 70000),
            Peer("ok", "10.201.0.4", "10.18.0.192/26", "02:63:00:00:00:0D"),
            Peer("ok2-same-subnet", "10.201.0.5", "10.18.0.192/26", MacB),
        ]);

        desired.Routes.ShouldBe([new OverlayRoute("10.18.0.192/26", "10.18.0.193", null)]);
        desired.Forwarding.ShouldBe([new OverlayForwarding("02:63:00:00:00:0d", "10.201.0.4", 4789)]);
    }

    [Fact]
    public void Kernel_output_is_read_with_only_permanent_entries_and_the_device_port_as_default()
    {
        var current = OverlayPlan.ParseCurrent(
            """[{"dst":"10.18.0.64/26","gateway":"10.18.0.65","flags":["onlink"]},{"dst":"10.30.0.0/16","scope":"link","prefsrc":"10.18.0.1","flags":[]},{"dst":"10.18.9.9"}]""",
            """[{"dst":"10.18.0.65","lladdr":"02:63:00:00:00:0B","state":["PERMANENT"]},{"dst":"10.30.0.9","state":["FAILED"]}]""",
            """[{"mac":"02:63:00:00:00:0c","dst":"10.201.0.3","flags":["self"],"state":"permanent"},{"mac":"02:63:00:00:00:0b","dst":"10.201.0.2","port":4790,"flags":["self"],"state":"permanent"},{"mac":"33:33:00:00:00:01","flags":["self"],"state":"permanent"}]""",
            devicePort: 4789);

        current.Routes.ShouldBe([new OverlayRoute("10.18.0.64/26", "10.18.0.65", null), new OverlayRoute("10.30.0.0/16", null, "10.18.0.1"), new OverlayRoute("10.18.9.9/32", null, null)]);
        current.Neighbours.ShouldBe([new OverlayNeighbour("10.18.0.65", MacB)]);
        current.Forwarding.ShouldBe([new OverlayForwarding(MacC, "10.201.0.3", 4789), new OverlayForwarding(MacB, "10.201.0.2", 4790)]);
    }

    [Fact]
    public void Reconcile_adds_what_is_missing()
    {
        var desired = OverlayPlan.Desired("10.201.0.1", "10.18.0.1", [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB)]);

        var (ip, bridge) = OverlayPlan.Reconcile(Device, desired, OverlayEntries.None);

        ip.ShouldBe(
            "route replace 10.18.0.64/26 via 10.18.0.65 dev cnv0badf00d onlink\n" +
            "route replace 10.30.0.0/16 dev cnv0badf00d src 10.18.0.1\n" +
            "neigh replace 10.18.0.65 lladdr 02:63:00:00:00:0b dev cnv0badf00d nud permanent\n");
        bridge.ShouldBe("fdb replace 02:63:00:00:00:0b dev cnv0badf00d dst 10.201.0.2 port 4789 self permanent\n");
    }

    [Fact]
    public void Reconcile_of_the_same_entries_does_nothing()
    {
        var desired = OverlayPlan.Desired("10.201.0.1", "10.18.0.1", [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB)]);

        OverlayPlan.Reconcile(Device, desired, desired).ShouldBe(("", ""));
    }

    [Fact]
    public void Reconcile_deletes_what_the_table_no_longer_has()
    {
        var before = OverlayPlan.Desired("10.201.0.1", "10.18.0.1",
            [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB), Peer("c", "10.201.0.3", "10.18.0.128/26", MacC)]);
        var after = OverlayPlan.Desired("10.201.0.1", "10.18.0.1", [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB)]);

        var (ip, bridge) = OverlayPlan.Reconcile(Device, after, before);

        ip.ShouldBe("route del 10.18.0.128/26 dev cnv0badf00d\nneigh del 10.18.0.129 dev cnv0badf00d\n");
        bridge.ShouldBe("fdb del 02:63:00:00:00:0c dev cnv0badf00d dst 10.201.0.3 self\n");
    }

    [Fact]
    public void Reconcile_replaces_a_peer_that_moved()
    {
        var before = OverlayPlan.Desired("10.201.0.1", "10.18.0.1", [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB)]);
        var after = OverlayPlan.Desired("10.201.0.1", "10.18.0.2", [Peer("b", "10.201.0.9", "10.18.0.64/26", MacB, 4790)]);

        var (ip, bridge) = OverlayPlan.Reconcile(Device, after, before);

        ip.ShouldBe("route replace 10.30.0.0/16 dev cnv0badf00d src 10.18.0.2\n");
        bridge.ShouldBe("fdb replace 02:63:00:00:00:0b dev cnv0badf00d dst 10.201.0.9 port 4790 self permanent\n");
    }

    [Fact]
    public void Reconcile_leaves_one_destination_for_a_mac_that_has_several()
    {
        var desired = OverlayPlan.Desired("10.201.0.1", null, [Peer("b", "10.201.0.2", "10.18.0.64/26", MacB)]);
        var current = desired with { Forwarding = [new OverlayForwarding(MacB, "10.201.0.2", 4789), new OverlayForwarding(MacB, "10.201.0.7", 4789)] };

        OverlayPlan.Reconcile(Device, desired, current).Bridge.ShouldBe(
            "fdb del 02:63:00:00:00:0b dev cnv0badf00d dst 10.201.0.7 self\n" +
            "fdb replace 02:63:00:00:00:0b dev cnv0badf00d dst 10.201.0.2 port 4789 self permanent\n");
    }
}
