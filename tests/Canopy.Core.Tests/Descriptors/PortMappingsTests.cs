namespace Canopy.Core.Descriptors.Tests;

public class PortMappingsTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("80", "80:80/tcp")]
    [InlineData("9080", "9080:9080/tcp")]
    [InlineData("8080:80", "8080:80/tcp")]
    [InlineData("6080:60/tcp", "6080:60/tcp")]
    [InlineData("53:53/udp", "53:53/udp")]
    [InlineData("53:53/UDP", "53:53/udp")]
    [InlineData("80/udp", "80:80/udp")]
    [InlineData("1:65535", "1:65535/tcp")]
    [InlineData("53:53/udp;80:8080", "53:53/udp,80:8080/tcp")]
    [InlineData(" 80 ; ;8081 : 81 / Tcp ;", "80:80/tcp,8081:81/tcp")]
    [InlineData("53/tcp;53/udp", "53:53/tcp,53:53/udp")]
    public void TryParse_ValidText_GivesTheMappings(string? text, string expected)
    {
        PortMappings.TryParse(text, out var mappings, out var error).ShouldBeTrue(error);

        error.ShouldBeNull();
        string.Join(",", mappings).ShouldBe(expected);
    }

    [Theory]
    [InlineData("0", "\"0\"", "between 1 and 65535")]
    [InlineData("65536", "\"65536\"", "between 1 and 65535")]
    [InlineData("-1", "\"-1\"", "not a number")]
    [InlineData("http", "\"http\"", "not a number")]
    [InlineData("80:abc", "\"80:abc\"", "container port \"abc\"")]
    [InlineData("abc:80", "\"abc:80\"", "host port \"abc\"")]
    [InlineData("80:", "\"80:\"", "container port \"\"")]
    [InlineData("80:80/sctp", "\"80:80/sctp\"", "protocol \"sctp\"")]
    [InlineData("80:80/", "\"80:80/\"", "protocol \"\"")]
    [InlineData("1:2:3", "\"1:2:3\"", "host:container")]
    [InlineData("80;8080:90;abc", "\"abc\"", "not a number")]
    [InlineData("80;80:81", "\"80:81\"", "mapped twice")]
    [InlineData("8.0", "\"8.0\"", "not a number")]
    public void TryParse_BadSegment_NamesIt(string text, string segment, string message)
    {
        PortMappings.TryParse(text, out var mappings, out var error).ShouldBeFalse();

        mappings.ShouldBeEmpty();
        error.ShouldNotBeNull();
        error.ShouldContain($"port {segment}");
        error.ShouldContain(message);
    }

    [Fact]
    public void ParseOrEmpty_InvalidText_GivesNothing()
    {
        PortMappings.ParseOrEmpty("80;x").ShouldBeEmpty();
        PortMappings.ParseOrEmpty("80").ShouldBe([new PortMapping(80, 80, "tcp")]);
    }
}
