namespace Canopy.Core.Addressing.Tests;

public class Ipv4Tests
{
    [Theory]
    [InlineData("10.30.0.1", 0x0A1E0001u)]
    [InlineData("0.0.0.0", 0u)]
    [InlineData("255.255.255.255", 0xFFFFFFFFu)]
    public void TryParse_DottedQuad_Reads(string text, uint expected)
    {
        Ipv4.TryParse(text, out var address).ShouldBeTrue();
        address.ShouldBe(expected);
        Ipv4.Format(address).ShouldBe(text);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("10")]
    [InlineData("10.30.0")]
    [InlineData("10.30.0.1.5")]
    [InlineData("10.30.0.256")]
    [InlineData("10.30.0.01")]
    [InlineData("10.30.0.-1")]
    [InlineData("10.30.0.x")]
    [InlineData(" 10.30.0.1")]
    [InlineData("0x0a.30.0.1")]
    [InlineData("10..0.1")]
    public void TryParse_AnythingElse_IsRefused(string? text)
    {
        Ipv4.TryParse(text, out _).ShouldBeFalse();
    }
}
