using Canopy.Cluster.Tests.Support;
using Canopy.Mqtt;

namespace Canopy.Cluster.Tests.Broker;

/// <summary>
/// Many nodes registering at once share password-file rewrites, Mosquitto reloads and probes (<c>BrokerUsers</c> batches them):
/// still every node's own account works the moment its answer arrives, and only that node's password opens it.
/// </summary>
public sealed class RegistrationBurstTests(ITestOutputHelper output) : ClusterTest(output)
{
    private const int Count = 40;

    [Fact]
    public async Task A_burst_of_registrations_all_join_with_working_accounts_and_wrong_passwords_are_refused()
    {
        // FakeNode connects to the broker as soon as its registration is answered: a batch answered before its reload took
        // effect would fail here with a refused password.
        var starting = Enumerable.Range(1, Count).Select(i => FakeNode.StartAsync(Cluster, $"burst-{i}")).ToList();
        try
        {
            var nodes = await Task.WhenAll(starting);
            nodes.ShouldAllBe(n => n.Client.IsConnected);
            nodes.Select(n => n.Id).Distinct().Count().ShouldBe(Count);
            await Waits.UntilAsync(async () => (await Cluster.NodesAsync()).Count(n => n.Active) == Count, "every node of the burst active",
                TimeSpan.FromSeconds(60));

            foreach (var (node, other) in nodes.Zip(nodes.Skip(1)).Take(5))
            {
                await RefusedAsync(node.Registration.Mqtt with { Password = "not-the-password" }, node.Id + "-wrong");
                await RefusedAsync(node.Registration.Mqtt with { Password = other.Registration.Mqtt.Password }, node.Id + "-other");
            }

            // Registering again with its own secret: the same account, applied once already (no rewrite), and it still opens.
            var again = await FakeNode.RegisterAsync(Cluster, nodes[0].Host, nodes[0].Id);
            again.Mqtt.Password.ShouldBe(nodes[0].Registration.Mqtt.Password);
            await using var reconnect = FakeNode.BrokerClient(Cluster, again.Mqtt, nodes[0].Id + "-again");
            await reconnect.ConnectAsync(CancellationToken.None);
            reconnect.IsConnected.ShouldBeTrue();
        }
        finally
        {
            foreach (var start in starting.Where(s => s.IsCompletedSuccessfully))
            {
                await (await start).DisposeAsync();
            }
        }
    }

    private async Task RefusedAsync(Contracts.Registration.MqttCredentials credentials, string clientId)
    {
        await using var client = FakeNode.BrokerClient(Cluster, credentials, clientId);
        var error = await Should.ThrowAsync<MqttConnectException>(() => client.ConnectAsync(CancellationToken.None));
        error.Result.ShouldBeOneOf(MqttConnectResult.BadUsernameOrPassword, MqttConnectResult.NotAuthorized);
    }
}
