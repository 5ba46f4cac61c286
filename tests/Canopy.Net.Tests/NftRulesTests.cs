using Canopy.Contracts.Net;
using static Canopy.Net.Tests.Tables;

namespace Canopy.Net.Tests;

public class NftRulesTests
{
    private const string Key = "0badf00d";
    private static readonly Dictionary<string, double> NoLatency = [];

    private static string Render(NodeNetTable table, string? own = "a", IReadOnlyDictionary<string, double>? latency = null) =>
        NftRules.Render(Key, own, table, latency ?? NoLatency);

    [Fact]
    public void The_script_replaces_the_table_in_one_transaction()
    {
        var text = Render(Table());

        text.ShouldStartWith("table ip canopy_0badf00d {}\ndelete table ip canopy_0badf00d\ntable ip canopy_0badf00d {\n");
        text.ShouldContain("type nat hook prerouting priority dstnat; policy accept;");
        text.ShouldContain("type nat hook output priority -100; policy accept;");
        text.ShouldNotContain("elements");
    }

    [Fact]
    public void Round_robin_over_containers_translates_the_address_only_per_connection()
    {
        var text = Render(Table(Service("s1", "10.30.0.1", null, Container(1, "b", "10.18.0.70"), Container(0, "a", "10.18.0.5"))));

        text.ShouldContain("ip daddr 10.30.0.1 dnat to numgen inc mod 2 map { 0 : 10.18.0.5, 1 : 10.18.0.70 }\n");
        text.ShouldContain("elements = { 10.30.0.1 }");
    }

    [Fact]
    public void A_single_instance_needs_no_map()
    {
        Render(Table(Service("s1", "10.30.0.1", null, Container(0, "b", "10.18.0.70"))))
            .ShouldContain("ip daddr 10.30.0.1 dnat to 10.18.0.70\n");
    }

    [Fact]
    public void Exec_instances_translate_each_port_per_protocol()
    {
        var text = Render(Table(Service("s1", "10.30.0.2", null,
            Exec(0, "a", "10.201.0.1", new NetPort("tcp", 8080, 18080), new NetPort("udp", 53, 5353)),
            Exec(1, "b", "10.201.0.2", new NetPort("tcp", 8080, 18081)))));

        text.ShouldContain("ip daddr 10.30.0.2 tcp dport 8080 dnat ip addr . port to numgen inc mod 2 map { 0 : 10.201.0.1 . 18080, 1 : 10.201.0.2 . 18081 }\n");
        text.ShouldContain("ip daddr 10.30.0.2 udp dport 53 dnat to 10.201.0.1:5353\n");
        text.ShouldNotContain("ip daddr 10.30.0.2 dnat");
    }

    [Fact]
    public void Mixed_port_and_portless_instances_render_without_failing()
    {
        var text = Render(Table(Service("s1", "10.30.0.3", null,
            Exec(0, "a", "10.201.0.1", new NetPort("tcp", 80, 18000)), Container(1, "b", "10.18.0.70"))));

        text.ShouldContain("ip daddr 10.30.0.3 tcp dport 80 dnat ip addr . port to numgen inc mod 2 map { 0 : 10.201.0.1 . 18000, 1 : 10.18.0.70 . 80 }\n");
        text.ShouldContain("ip daddr 10.30.0.3 dnat to 10.18.0.70\n");
    }

    [Fact]
    public void A_service_without_instances_is_refused_fast_and_not_translated()
    {
        var text = Render(Table(Service("s1", "10.30.0.4", "10.30.0.5")));

        text.ShouldContain("elements = { 10.30.0.4, 10.30.0.5 }");
        text.ShouldNotContain("dnat");
        text.ShouldContain("ip daddr @service_ips meta l4proto tcp reject with tcp reset");
        text.ShouldContain("type filter hook forward priority filter;");
        text.ShouldContain("type filter hook output priority filter;");
    }

    [Fact]
    public void Closest_prefers_the_own_node_then_the_lowest_round_trip_time()
    {
        var service = Service("s1", null, "10.30.0.6",
            Container(0, "b", "10.18.0.70"), Container(1, "c", "10.18.0.140"), Container(2, "a", "10.18.0.5"));
        var latency = new Dictionary<string, double> { ["b"] = 2.5, ["c"] = 0.4 };

        Render(Table(service), own: "a", latency).ShouldContain("ip daddr 10.30.0.6 dnat to 10.18.0.5\n");
        Render(Table(service), own: "x", latency).ShouldContain("ip daddr 10.30.0.6 dnat to 10.18.0.140\n");
        Render(Table(service), own: null, latency: new Dictionary<string, double> { ["b"] = 2.5 })
            .ShouldContain("ip daddr 10.30.0.6 dnat to 10.18.0.70\n");
    }

    [Fact]
    public void Closest_breaks_ties_and_unknown_times_by_instance_number()
    {
        var service = Service("s1", null, "10.30.0.6", Container(3, "c", "10.18.0.140"), Container(1, "b", "10.18.0.70"));

        Render(Table(service), own: "x").ShouldContain("ip daddr 10.30.0.6 dnat to 10.18.0.70\n");
        Render(Table(service), own: "x", new Dictionary<string, double> { ["b"] = 1, ["c"] = 1 }).ShouldContain("dnat to 10.18.0.70\n");
    }

    [Fact]
    public void Closest_exec_instance_translates_its_ports()
    {
        var service = Service("s1", null, "10.30.0.7",
            Exec(0, "b", "10.201.0.2", new NetPort("tcp", 8080, 18080)), Exec(1, "a", "10.201.0.1", new NetPort("tcp", 8080, 18081)));

        Render(Table(service)).ShouldContain("ip daddr 10.30.0.7 tcp dport 8080 dnat to 10.201.0.1:18081\n");
    }

    [Fact]
    public void The_same_table_in_any_order_renders_the_same_text()
    {
        var one = Table(Service("s2", "10.30.0.2", null, Container(0, "a", "10.18.0.5")),
            Service("s1", "10.30.0.1", "10.30.1.1", Container(1, "b", "10.18.0.70"), Container(0, "a", "10.18.0.6")));
        var other = Table(Service("s1", "10.30.0.1", "10.30.1.1", Container(0, "a", "10.18.0.6"), Container(1, "b", "10.18.0.70")),
            Service("s2", "10.30.0.2", null, Container(0, "a", "10.18.0.5")));

        Render(one with { Version = 7 }).ShouldBe(Render(other with { Version = 8 }));
    }

    [Fact]
    public void Invalid_entries_are_left_out_and_a_taken_service_ip_is_used_once()
    {
        var text = Render(Table(
            Service("s1", "10.30.0.1", "not-an-ip", Container(0, "a", "10.18.0.5"), Container(1, "b", "bogus"),
                Exec(2, "c", "10.201.0.3", new NetPort("sctp", 1, 2))),
            Service("s2", "10.30.0.1", null, Container(0, "a", "10.18.0.9"))));

        text.ShouldContain("ip daddr 10.30.0.1 dnat to 10.18.0.5\n");
        text.ShouldNotContain("10.18.0.9");
        text.ShouldNotContain("bogus");
        text.ShouldNotContain("not-an-ip");
        text.ShouldNotContain("sctp");
    }

    [Fact]
    public void Connections_to_instances_off_the_overlay_leave_with_the_node_address()
    {
        Render(Table()).ShouldContain(
            "ct original ip daddr @service_ips oifname != { \"cnv0badf00d\", \"cnp0badf00d\", \"lo\" } masquerade");
    }
}
