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
    }

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
}
