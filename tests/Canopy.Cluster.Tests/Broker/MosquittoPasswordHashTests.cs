using Canopy.Cluster.Broker;

namespace Canopy.Cluster.Tests.Broker;

public sealed class MosquittoPasswordHashTests
{
    // Written by mosquitto_passwd 2.0.11: `mosquitto_passwd -b -c pw alice secret`.
    private const string FromMosquittoPasswd =
        "$7$101$jLpYnOdzWqfWw/xK$xNdX00cOoQD+o5Dcj/7PSena2T6Optvs/vvNtbFI78WATProO/EyKaUiQR+wI9odzU6ePQckTELVmPnOQ2dlEw==";

    [Fact]
    public void Hash_SameSaltAsMosquittoPasswd_GivesItsLine()
    {
        var salt = Convert.FromBase64String("jLpYnOdzWqfWw/xK");

        MosquittoPasswordHash.Hash("secret", salt).ShouldBe(FromMosquittoPasswd);
    }

    [Fact]
    public void Verify_AcceptsRightPasswordOnly()
    {
        MosquittoPasswordHash.Verify("secret", FromMosquittoPasswd).ShouldBeTrue();
        MosquittoPasswordHash.Verify("Secret", FromMosquittoPasswd).ShouldBeFalse();
    }

    [Fact]
    public void Hash_NewSaltEachTime()
    {
        var first = MosquittoPasswordHash.Hash("pw");
        var second = MosquittoPasswordHash.Hash("pw");

        first.ShouldNotBe(second);
        first.ShouldStartWith("$7$101$");
        MosquittoPasswordHash.Verify("pw", second).ShouldBeTrue();
    }

    [Fact]
    public void HashRandomSecret_IsSaltedSha512_ThatVerifies()
    {
        var line = MosquittoPasswordHash.HashRandomSecret("pw");

        line.ShouldStartWith("$6$");
        line.ShouldNotBe(MosquittoPasswordHash.HashRandomSecret("pw"));
        MosquittoPasswordHash.Verify("pw", line).ShouldBeTrue();
        MosquittoPasswordHash.Verify("pW", line).ShouldBeFalse();
    }
}
