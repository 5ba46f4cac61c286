using Canopy.Mqtt.Tests.Infrastructure;

namespace Canopy.Mqtt.Tests.Client;

/// <summary>A missing broker must fail the integration tests with an actionable message, never skip them.</summary>
public sealed class MosquittoLocatorTests
{
    [Fact]
    public void Missing_mosquitto_fails_with_install_hint()
    {
        var error = Should.Throw<InvalidOperationException>(() =>
            MosquittoBroker.FindExecutable(["/nonexistent/sbin/mosquitto"], "/nonexistent/bin"));
        error.Message.ShouldBe("mosquitto not found: apt-get install mosquitto");
    }

    [Fact]
    public void Installed_mosquitto_is_found()
    {
        File.Exists(MosquittoBroker.FindExecutable()).ShouldBeTrue();
    }
}
