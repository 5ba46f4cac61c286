using System.Net;
using Canopy.Cluster.Broker.KeepAlive;

namespace Canopy.Cluster.Tests.Broker.KeepAlive;

/// <summary>Which client a broker socket belongs to, from Mosquitto 2.0.11's connection lines (format taken from its log).</summary>
public sealed class BrokerClientsTests
{
    private const string Connected = "2026-12-06T14:04:34: New client connected from 10.0.0.2:40312 as n1-ne (p2, c1, k1, u'n1').";

    [Fact]
    public void A_connection_line_gives_the_address_the_client_and_its_keep_alive()
    {
        var (endpoint, client) = BrokerClients.Parse(Connected)!.Value;

        endpoint.ShouldBe(new IPEndPoint(IPAddress.Parse("10.0.0.2"), 40312));
        client.ShouldBe(new BrokerClient("n1-ne", "n1", 1));
    }

    [Theory]
    [InlineData("2026-12-06T14:04:34: New client connected from ::1:5000 as c (p2, c1, k60).", "::1", 5000, 60)]
    [InlineData("2026-12-06T14:04:34: New client connected from ::ffff:10.1.2.3:7 as c (p5, c0, k0, u'x').", "10.1.2.3", 7, 0)]
    public void IPv6_and_mapped_addresses_and_clients_without_user_are_read(string line, string address, int port, int keepAlive)
    {
        var (endpoint, client) = BrokerClients.Parse(line)!.Value;

        endpoint.ShouldBe(new IPEndPoint(IPAddress.Parse(address), port));
        client.KeepAliveSeconds.ShouldBe(keepAlive);
    }

    [Theory]
    [InlineData("2026-12-06T14:04:34: New connection from 10.0.0.2:40312 on port 10003.")]
    [InlineData("2026-12-06T14:04:34: Client n1-ne closed its connection.")]
    [InlineData("2026-12-06T14:04:34: New client connected from nowhere:1 as c (p2, c1, k1).")]
    [InlineData("2026-12-06T14:04:34: New client connected from 10.0.0.2:99999 as c (p2, c1, k1).")]
    public void Other_or_broken_lines_are_ignored(string line) => BrokerClients.Parse(line).ShouldBeNull();

    [Fact]
    public void A_reconnection_replaces_the_clients_old_address_and_a_reused_address_its_old_client()
    {
        var clients = new BrokerClients();
        var first = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 40312);
        var second = new IPEndPoint(IPAddress.Parse("10.0.0.2"), 40400);

        clients.Read(Connected);
        clients.Read(Connected.Replace("40312", "40400", StringComparison.Ordinal));
        clients.Read(Connected.Replace("n1", "n2", StringComparison.Ordinal));

        clients.At(first)!.ClientId.ShouldBe("n2-ne");
        clients.At(second)!.ClientId.ShouldBe("n1-ne");
        clients.Count.ShouldBe(2);
    }
}
