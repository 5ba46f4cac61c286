using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Storage;

/// <summary>The cluster's state lives in its data dir: a restarted cluster knows its nodes (and their broker accounts) and instances.</summary>
public sealed class ClusterRestartTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Restart_SameDataDir_KeepsNodesAccountsAndInstances()
    {
        await using var root = await FakeRoot.StartAsync();
        var options = TestCluster.DefaultOptions(root);
        void SameDirAndPort(ClusterOptions o) => (o.DataDir, o.Mqtt.Port) = (options.DataDir, options.Mqtt.Port);
        var spec = Specs.Exec();
        var first = await TestCluster.StartAsync(output, root, SameDirAndPort);
        FakeNode node;
        try
        {
            node = await FakeNode.StartAsync(first, "worker-1");
            await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(spec, 0));
            await root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING at the root");
        }
        finally
        {
            await first.StopKeepingDataAsync();
        }

        var connectionsBefore = root.LinkConnections;

        await using (node)
        {
            await using var second = await TestCluster.StartAsync(output, root, SameDirAndPort);
            var restarted = DateTimeOffset.UtcNow;

            // The node's client reconnects by itself with the password it was given before the restart.
            await Waits.UntilAsync(() => Task.FromResult(node.Client.IsConnected), "the node reconnects to the new broker");
            root.LinkConnections.ShouldBe(connectionsBefore + 1);

            // Registering again, it proves it is the same cluster with the credential of its last registration.
            var registrations = root.Registrations.Snapshot();
            registrations[0].Credential.ShouldBeNull();
            registrations[^1].Credential.ShouldBe(FakeRoot.Credential);
            registrations[0].Secret.ShouldNotBeNull().Length.ShouldBeGreaterThanOrEqualTo(Contracts.Secrets.MinLength);
            registrations[^1].Secret.ShouldBe(registrations[0].Secret, "its own secret, kept in its store");
            var hello = root.Received.Snapshot().Last(m => m.Type == LinkMessageTypes.Hello);
            hello.Read<ClusterHello>().Instances.ShouldHaveSingleItem().NodeId.ShouldBe(node.Id);
            await Waits.UntilAsync(
                async () => (await second.NodesAsync()).Any(n => n.Id == node.Id && n.Active && n.LastSeen > restarted),
                "information from the node after the restart");
        }
    }
}
