using Canopy.Mqtt.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Client;

/// <summary>Brokers with password_file / acl_file; each test starts and kills its own.</summary>
public sealed class MqttClientAuthTests(ITestOutputHelper output)
{
    private static readonly MosquittoOptions Secured = new()
    {
        AllowAnonymous = false,
        Users = new Dictionary<string, string> { ["n1"] = "secret-1", ["n2"] = "secret-2" },
        AclLines = ["pattern readwrite nodes/%u/#"],
    };

    [Fact]
    public async Task Valid_credentials_connect()
    {
        await using var broker = await MosquittoBroker.StartAsync(Secured);
        await using var client = await TestClients.ConnectAsync(output, broker.Port, "n1-client", o =>
        {
            o.Username = "n1";
            o.Password = "secret-1";
        });
        client.IsConnected.ShouldBeTrue();
    }

    /// <remarks>
    /// MQTT 3.1.1 has code 4 (BadUsernameOrPassword) for this, but mosquitto (checked with 2.0.11; its
    /// handle_connect sends CONNACK_REFUSED_NOT_AUTHORIZED when the password check fails) answers 5.
    /// The client reports the code the broker sent; code 4 itself is covered by the fake-broker tests.
    /// </remarks>
    [Fact]
    public async Task Bad_password_is_refused_with_MqttConnectException()
    {
        await using var broker = await MosquittoBroker.StartAsync(Secured);
        await using var client = TestClients.Create(output, broker.Port, "n1-client", o =>
        {
            o.Username = "n1";
            o.Password = "wrong";
        });

        var error = await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync(CancellationToken.None).Within("refusal"));

        error.Result.ShouldBe(MqttConnectResult.NotAuthorized);
        error.IsAuthenticationFailure.ShouldBeTrue();
        client.IsConnected.ShouldBeFalse();
    }

    [Fact]
    public async Task Anonymous_connection_is_refused_when_anonymous_access_is_off()
    {
        await using var broker = await MosquittoBroker.StartAsync(Secured);
        await using var client = TestClients.Create(output, broker.Port, "anonymous");

        var error = await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync(CancellationToken.None).Within("refusal"));

        error.Result.ShouldBe(MqttConnectResult.NotAuthorized);
    }

    [Fact]
    public async Task Acl_allows_own_subtree_and_refuses_foreign_subtree()
    {
        await using var broker = await MosquittoBroker.StartAsync(Secured);
        await using var n1 = await TestClients.ConnectAsync(output, broker.Port, "n1-client", o =>
        {
            o.Username = "n1";
            o.Password = "secret-1";
        });
        await using var n2 = await TestClients.ConnectAsync(output, broker.Port, "n2-client", o =>
        {
            o.Username = "n2";
            o.Password = "secret-2";
        });
        var received = MessageCollector.AttachTo(n1);

        await n1.SubscribeAsync("nodes/n1/#", MqttQos.AtLeastOnce, CancellationToken.None);
        await n1.PublishAsync("nodes/n1/x", "mine");
        (await received.WaitForTopicAsync("nodes/n1/x")).PayloadText.ShouldBe("mine");

        var refused = false;
        try
        {
            await n1.SubscribeAsync("nodes/n2/#", MqttQos.AtLeastOnce, CancellationToken.None);
        }
        catch (MqttSubscribeException ex)
        {
            ex.TopicFilter.ShouldBe("nodes/n2/#");
            refused = true;
        }

        output.WriteLine($"Subscription to nodes/n2/# refused with SUBACK 0x80: {refused}");
        await n2.PublishAsync("nodes/n2/x", "theirs"); // PUBACK: the broker has routed it
        await n1.PublishAsync("nodes/n1/marker", "marker");
        await received.WaitForTopicAsync("nodes/n1/marker");
        received.Messages.ShouldNotContain(m => m.Topic.StartsWith("nodes/n2/", StringComparison.Ordinal));
        n1.SubscriptionCount.ShouldBe(refused ? 1 : 2);
    }
}
