namespace Canopy.Core.Addressing.Tests;

public class ServiceIpPoolTests
{
    [Theory]
    [InlineData("10.30.0.1", true)]
    [InlineData("10.30.0.0", true)]
    [InlineData("10.30.255.254", true)]
    [InlineData("10.31.0.1", false)]
    [InlineData("10.3.0.1", false)]
    [InlineData("192.168.178.4", false)]
    [InlineData("10.30.0", false)]
    [InlineData("10.30.0.256", false)]
    [InlineData("fdff:2000::1", false)]
    [InlineData("", false)]
    public void Contains_OnlyAddressesOf10_30(string ip, bool inside)
    {
        ServiceIpPool.Contains(ip).ShouldBe(inside);
    }

    [Fact]
    public void Allocate_Empty_GivesTheFirstHost()
    {
        ServiceIpPool.Allocate(new HashSet<string>()).ShouldBe("10.30.0.1");
    }

    [Fact]
    public void Allocate_FillsTheLowestGap()
    {
        ServiceIpPool.Allocate(new HashSet<string> { "10.30.0.1", "10.30.0.2", "10.30.0.4" }).ShouldBe("10.30.0.3");
    }

    [Fact]
    public void Allocate_SkipsDotZeroAndDot255()
    {
        var taken = Enumerable.Range(1, 254).Select(i => $"10.30.0.{i}").ToHashSet();

        ServiceIpPool.Allocate(taken).ShouldBe("10.30.1.1");
    }

    [Fact]
    public void Allocate_IgnoresTakenAddressesOutsideThePool()
    {
        ServiceIpPool.Allocate(new HashSet<string> { "192.168.0.1", "garbage", "10.30.0.1" }).ShouldBe("10.30.0.2");
    }

    [Fact]
    public void Allocate_Exhausted_IsNull()
    {
        var taken = new HashSet<string>();
        for (var third = 0; third < 256; third++)
        {
            for (var fourth = 1; fourth < 255; fourth++)
            {
                taken.Add($"10.30.{third}.{fourth}");
            }
        }

        ServiceIpPool.Allocate(taken).ShouldBeNull();
        taken.Remove("10.30.255.254");
        ServiceIpPool.Allocate(taken).ShouldBe("10.30.255.254");
    }
}
