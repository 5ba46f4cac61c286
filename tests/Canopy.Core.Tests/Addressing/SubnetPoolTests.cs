namespace Canopy.Core.Addressing.Tests;

public class SubnetPoolTests
{
    [Theory]
    [InlineData(new string[0], "10.18.0.0/26")]
    [InlineData(new[] { "10.18.0.0/26" }, "10.18.0.64/26")]
    [InlineData(new[] { "10.18.0.0/26", "10.18.0.64/26", "10.18.0.128/26", "10.18.0.192/26" }, "10.18.1.0/26")]
    [InlineData(new[] { "10.18.0.0/26", "10.18.0.128/26" }, "10.18.0.64/26")]
    [InlineData(new[] { "10.18.0.0" }, "10.18.0.64/26")]
    [InlineData(new[] { "10.18.0.5/26", "junk", "10.17.0.0/26" }, "10.18.0.64/26")]
    public void Allocate_GivesTheLowestFreeSubnet(string[] taken, string expected)
    {
        SubnetPool.Allocate(taken.ToHashSet()).ShouldBe(expected);

        // The same with the taken subnets parsed beforehand, as the cluster keeps them; "junk" names no network.
        var networks = taken.Select(SubnetPool.NetworkOf).OfType<uint>().ToHashSet();
        SubnetPool.Allocate(networks).ShouldBe(expected);
    }

    [Theory]
    [InlineData("10.18.0.64/26", "10.18.0.64/26")]
    [InlineData("10.18.0.70/26", "10.18.0.64/26")]
    [InlineData("10.18.0.128", "10.18.0.128/26")]
    public void NetworkOf_IsTheNetworkAddressOfItsSlash26(string subnet, string network) =>
        new Ipv4Network(SubnetPool.NetworkOf(subnet)!.Value, SubnetPool.PrefixLength).ToString().ShouldBe(network);

    [Theory]
    [InlineData("junk")]
    [InlineData("")]
    public void NetworkOf_NotAnAddress_IsNull(string subnet) => SubnetPool.NetworkOf(subnet).ShouldBeNull();

    [Fact]
    public void Allocate_Exhausted_IsNullAndTheLastIs10_29_255_192()
    {
        var taken = new HashSet<string>();
        for (var second = 18; second <= 29; second++)
        {
            for (var third = 0; third < 256; third++)
            {
                for (var fourth = 0; fourth < 256; fourth += 64)
                {
                    taken.Add($"10.{second}.{third}.{fourth}/26");
                }
            }
        }

        SubnetPool.Allocate(taken).ShouldBeNull();
        taken.Remove("10.29.255.192/26");
        SubnetPool.Allocate(taken).ShouldBe("10.29.255.192/26");
    }

    [Theory]
    [InlineData(new[] { "10.18.0.0/26" }, "10.18.0.64/26")]
    [InlineData(new[] { "10.18.0.0/24", "192.0.2.0/24" }, "10.18.1.0/26")]
    [InlineData(new[] { "10.18.0.5/32" }, "10.18.0.64/26")]
    [InlineData(new[] { "0.0.0.0/0", "junk" }, "10.18.0.0/26")]
    public void Allocate_AvoidsWhatIsRoutedOnTheNodesMachine(string[] inUse, string expected)
    {
        SubnetPool.Allocate(new HashSet<string>(), inUse).ShouldBe(expected);
    }

    [Fact]
    public void Allocate_UnderABroadRouteOverEverything_TakesASubnetOnlyThatRouteCovers()
    {
        // A LAN's 10.0.0.0/8 covers the whole pool; the node's /26 is more specific and wins for its containers' addresses.
        SubnetPool.Allocate(new HashSet<string> { "10.18.0.0/26" }, ["10.0.0.0/8", "10.18.0.64/26"]).ShouldBe("10.18.0.128/26");
    }

    [Theory]
    [InlineData("10.18.0.0/26", new[] { "10.18.0.0/26" }, "10.18.0.0/26")]
    [InlineData("10.18.0.0/26", new[] { "10.18.0.32/27" }, "10.18.0.32/27")]
    [InlineData("10.18.0.0/26", new[] { "10.0.0.0/8", "10.18.0.64/26" }, null)]
    [InlineData("not a subnet", new[] { "10.18.0.0/26" }, null)]
    public void Clash_IsARouteAtLeastAsSpecificAsTheSubnet(string subnet, string[] inUse, string? clash)
    {
        SubnetPool.Clash(subnet, inUse).ShouldBe(clash);
    }

    [Theory]
    [InlineData(new string[0], new[] { "10.18.16.0/20" }, "10.18.16.0/26")]
    [InlineData(new[] { "10.18.16.0/26" }, new[] { "10.18.16.0/20" }, "10.18.16.64/26")]
    [InlineData(new[] { "10.18.0.0/26" }, new[] { "10.20.0.0/20", "10.18.0.0/20" }, "10.20.0.0/26")]
    [InlineData(new string[0], new[] { "junk", "10.18.0.0/27", "192.0.2.0/24", "10.19.48.0/20" }, "10.19.48.0/26")]
    [InlineData(new string[0], new[] { "10.29.240.0/20" }, "10.29.240.0/26")]
    public void Allocate_WithBlocks_GivesTheFirstFreeSubnetInsideThemInTheirOrder(string[] taken, string[] blocks, string expected)
    {
        SubnetPool.Allocate(taken.ToHashSet(), null, blocks).ShouldBe(expected);
    }

    [Fact]
    public void Allocate_WithFullBlocks_IsNull_AndAnEmptyListOfBlocksHasNoRoom()
    {
        var block = Enumerable.Range(0, 64).Select(i => $"10.18.{16 + (i / 4)}.{i % 4 * 64}/26").ToHashSet();

        SubnetPool.Allocate(block, null, ["10.18.16.0/20"]).ShouldBeNull();
        SubnetPool.Allocate(block.Skip(1).ToHashSet(), null, ["10.18.16.0/20"]).ShouldBe("10.18.16.0/26");
        SubnetPool.Allocate(new HashSet<string>(), null, []).ShouldBeNull();
        SubnetPool.Allocate(block, null, ["10.18.16.0/20", "10.18.32.0/20"]).ShouldBe("10.18.32.0/26");
    }

    [Fact]
    public void Allocate_WithBlocks_StillAvoidsWhatIsRoutedOnTheNodesMachine()
    {
        SubnetPool.Allocate(new HashSet<string>(), ["10.18.16.0/25"], ["10.18.16.0/20"]).ShouldBe("10.18.16.128/26");
        SubnetPool.Allocate(new HashSet<string>(), ["10.0.0.0/8", "10.18.16.0/26"], ["10.18.16.0/20"]).ShouldBe("10.18.16.64/26");
    }
}
