namespace Canopy.Mqtt.Tests.Client;

public sealed class MqttClientApiTests
{
    [Fact]
    public void Options_are_validated()
    {
        Should.Throw<ArgumentException>(() => new MqttClient(new MqttClientOptions { Password = "pw" }));
        Should.Throw<ArgumentOutOfRangeException>(() => new MqttClient(new MqttClientOptions { Port = 0 }));
        Should.Throw<ArgumentOutOfRangeException>(() => new MqttClient(new MqttClientOptions { ReconnectMinDelay = TimeSpan.FromSeconds(20) }));
        Should.Throw<ArgumentException>(() => new MqttClient(new MqttClientOptions { Will = new MqttWill("a/#", []) }));
    }

    [Fact]
    public async Task Operations_before_ConnectAsync_throw_InvalidOperation()
    {
        await using var client = new MqttClient(new MqttClientOptions());
        client.IsConnected.ShouldBeFalse();
        await Should.ThrowAsync<InvalidOperationException>(() => client.PublishAsync("a/b", "x"));
        await Should.ThrowAsync<InvalidOperationException>(() => client.SubscribeAsync("a/#", MqttQos.AtLeastOnce, CancellationToken.None));
    }

    [Fact]
    public async Task Invalid_topics_are_rejected()
    {
        await using var client = new MqttClient(new MqttClientOptions());
        await Should.ThrowAsync<ArgumentException>(() => client.PublishAsync("a/+", "x"));
        await Should.ThrowAsync<ArgumentException>(() => client.PublishAsync("", "x"));
        await Should.ThrowAsync<ArgumentException>(() => client.SubscribeAsync("a/#/b", MqttQos.AtLeastOnce, CancellationToken.None));
        await Should.ThrowAsync<ArgumentOutOfRangeException>(() => client.PublishAsync("a", "x", (MqttQos)2));
    }

    [Fact]
    public void Message_payload_text_is_utf8()
    {
        new MqttMessage("t", "grüße"u8.ToArray(), MqttQos.AtMostOnce, false).PayloadText.ShouldBe("grüße");
    }

    [Fact]
    public void Connect_exception_carries_the_result()
    {
        var ex = new MqttConnectException(MqttConnectResult.BadUsernameOrPassword);
        ex.Result.ShouldBe(MqttConnectResult.BadUsernameOrPassword);
        ex.Message.ShouldContain("BadUsernameOrPassword");
        ex.IsAuthenticationFailure.ShouldBeTrue();
        new MqttConnectException(MqttConnectResult.NotAuthorized).IsAuthenticationFailure.ShouldBeTrue();
        new MqttConnectException(MqttConnectResult.ServerUnavailable).IsAuthenticationFailure.ShouldBeFalse();
    }
}
