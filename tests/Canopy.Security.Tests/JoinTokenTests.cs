namespace Canopy.Security.Tests;

public sealed class JoinTokenTests
{
    private const string Hex = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    [Fact]
    public void Parse_SplitsSecretAndPin()
    {
        var token = JoinToken.Parse($"s3cr-et_x.sha256:{Hex}");

        token.Secret.ShouldBe("s3cr-et_x");
        token.CaPin.ShouldBe($"sha256:{Hex}");
        token.ToString().ShouldBe($"s3cr-et_x.sha256:{Hex}");
    }

    [Theory]
    [InlineData("plainsecret")]
    [InlineData("with.dot.but-no-pin")]
    public void Parse_WithoutPin_KeepsTheWholeSecret(string text)
    {
        var token = JoinToken.Parse(text);

        token.Secret.ShouldBe(text);
        token.CaPin.ShouldBeNull();
    }

    [Theory]
    [InlineData(Hex)]
    [InlineData("SHA256:" + "0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF")]
    [InlineData("01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef:01:23:45:67:89:ab:cd:ef")]
    public void CaPin_AcceptsTheUsualSpellings(string text) => CaPin.Parse(text).ShouldBe($"sha256:{Hex}");

    [Theory]
    [InlineData("")]
    [InlineData("sha256:1234")]
    [InlineData("md5:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    public void CaPin_RefusesOtherText(string text) => Should.Throw<FormatException>(() => CaPin.Parse(text)).Message.ShouldContain("CA fingerprint");
}
