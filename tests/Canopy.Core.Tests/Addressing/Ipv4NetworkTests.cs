namespace Canopy.Core.Addressing.Tests;

public class Ipv4NetworkTests
{
    [Theory]
    [InlineData("10.18.0.0/26", "10.18.0.0/16", true)]
    [InlineData("10.18.0.0/26", "10.18.0.64/26", false)]
    [InlineData("10.18.0.0/26", "10.18.0.5/32", true)]
    [InlineData("10.18.0.0/26", "0.0.0.0/0", true)]
    [InlineData("10.18.0.0/26", "192.0.2.0/24", false)]
    public void Networks_overlap_when_one_contains_the_other(string a, string b, bool overlap)
    {
        Ipv4Network.TryParse(a, out var first).ShouldBeTrue();
        Ipv4Network.TryParse(b, out var second).ShouldBeTrue();

        first.Overlaps(second).ShouldBe(overlap);
        second.Overlaps(first).ShouldBe(overlap);
    }

    [Theory]
    [InlineData("10.18.0.64/26", true, "10.18.0.64/26")]
    [InlineData("10.18.0.65/26", false, null)]
    [InlineData("10.18.0.0/33", false, null)]
    [InlineData("10.18.0.0", false, null)]
    [InlineData("010.18.0.0/26", false, null)]
    [InlineData("10.18.0.0/-1", false, null)]
    public void Strict_parsing_wants_a_network_address(string text, bool ok, string? formatted)
    {
        Ipv4Network.TryParse(text, out var network).ShouldBe(ok);
        if (ok)
        {
            network.ToString().ShouldBe(formatted);
        }
    }

    [Fact]
    public void A_route_may_carry_host_bits_which_are_dropped()
    {
        Ipv4Network.TryParse("10.18.0.65/26", out var network, strict: false).ShouldBeTrue();

        network.ToString().ShouldBe("10.18.0.64/26");
    }
}
