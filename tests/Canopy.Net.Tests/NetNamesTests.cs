namespace Canopy.Net.Tests;

public class NetNamesTests
{
    [Fact]
    public void Names_and_mac_come_from_the_key()
    {
        NetNames.Device("0badf00d").ShouldBe("cnv0badf00d");
        NetNames.Table("0badf00d").ShouldBe("canopy_0badf00d");
        NetNames.VtepMac("0badf00d").ShouldBe("02:63:0b:ad:f0:0d");
        NetNames.IsUnicastMac(NetNames.VtepMac("ffffffff")).ShouldBeTrue();
    }

    [Theory]
    [InlineData("")]
    [InlineData("0BADF00D")]
    [InlineData("0badf00")]
    [InlineData("0badf00d; rm")]
    public void A_key_that_could_not_name_a_device_is_refused(string key) =>
        Should.Throw<ArgumentException>(() => NetNames.Device(key)).Message.ShouldContain("8 lower-case hex digits");
}
