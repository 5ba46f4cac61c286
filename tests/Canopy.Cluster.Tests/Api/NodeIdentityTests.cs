using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;
using Canopy.Core.States;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Api;

/// <summary>A join token admits new nodes; only a node's own secret registers an existing node id again.</summary>
public class NodeIdentityTests(ITestOutputHelper output) : ClusterTest(output)
{
    [Fact]
    public async Task A_join_token_holder_naming_another_nodes_id_is_refused_and_nothing_of_that_node_changes()
    {
        await using var victim = await FakeNode.StartAsync(Cluster, "worker-1");
        await Root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(Specs.Exec(), 0));
        await Root.WaitForStatusAsync(r => r.Status == InstanceStatus.Running, "RUNNING on the victim");
        var before = await NodeAsync(victim.Id);
        var instancesBefore = await InstancesOnAsync(victim.Id);

        var wrongSecret = await RegisterAsync(FakeNode.Describe("evil", new FakeNodeOptions(), id: victim.Id, secret: "guessed-secret-0123456789abcdef0123"));
        var noSecret = await RegisterAsync(FakeNode.Describe("evil", new FakeNodeOptions(), id: victim.Id) with { Secret = null });
        var sameHost = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), secret: "guessed-secret-0123456789abcdef0123"));

        foreach (var refused in new[] { wrongSecret, noSecret })
        {
            refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync());
            problem.RootElement.GetProperty("detail").GetString().ShouldBe(
                $"node {victim.Id} is registered, and this registration does not prove it is that node (its secret is missing or wrong). " +
                "A registered node proves it by itself with the secret in its data dir (node.json); a new node registers without an id");
        }

        // The same host name without the secret is just another node: its own id, subnet and account.
        sameHost.StatusCode.ShouldBe(HttpStatusCode.OK);
        var other = (await sameHost.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
        (other.Id, other.Subnet, other.Mqtt.Password).ShouldNotBe((victim.Id, victim.Registration.Subnet, victim.Registration.Mqtt.Password));

        var after = await NodeAsync(victim.Id);
        (after.Host, after.MqttPassword, after.Subnet, after.SecretHash, CanopyJson.Serialize(after.StaticInfo))
            .ShouldBe((before.Host, before.MqttPassword, before.Subnet, before.SecretHash, CanopyJson.Serialize(before.StaticInfo)));
        (await InstancesOnAsync(victim.Id)).ShouldBe(instancesBefore);
        victim.Client.IsConnected.ShouldBeTrue();
        await using var again = FakeNode.BrokerClient(Cluster, victim.Registration.Mqtt, victim.Id + "-again");
        await again.ConnectAsync(CancellationToken.None);
    }

    [Fact]
    public async Task A_registered_node_registers_again_with_its_secret_and_no_valid_join_token()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");

        var again = await RegisterAsync(FakeNode.Describe("worker-1", new FakeNodeOptions(), token: "no-longer-valid", id: node.Id));

        again.StatusCode.ShouldBe(HttpStatusCode.OK, await again.Content.ReadAsStringAsync());
        var renewed = (await again.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
        (renewed.Id, renewed.Subnet, renewed.Mqtt.Password).ShouldBe((node.Id, node.Registration.Subnet, node.Registration.Mqtt.Password));
    }

    [Fact]
    public async Task The_cluster_keeps_only_the_hash_of_a_nodes_secret()
    {
        await using var node = await FakeNode.StartAsync(Cluster, "worker-1");

        var stored = await NodeAsync(node.Id);

        stored.SecretHash.ShouldBe(Secrets.Hash(FakeNode.SecretOf("worker-1")));
        stored.StaticInfo.Secret.ShouldBeNull();
        stored.StaticInfo.JoinToken.ShouldBeEmpty();
        foreach (var file in Directory.EnumerateFiles(Cluster.Options.DataDir, "cluster.db*"))
        {
            File.ReadAllText(file).ShouldNotContain(FakeNode.SecretOf("worker-1"), customMessage: file);
        }
    }

    private Task<HttpResponseMessage> RegisterAsync(NodeRegisterRequest request) =>
        Cluster.Http.PostAsJsonAsync("/api/node/register", request, CanopyJson.Options);

    private async Task<NodeRecord> NodeAsync(string id) =>
        (await Cluster.Services.GetRequiredService<IClusterStore>().GetNodeAsync(id, CancellationToken.None)).ShouldNotBeNull();

    private async Task<List<string>> InstancesOnAsync(string nodeId) =>
        (await Cluster.Services.GetRequiredService<IClusterStore>().ListInstancesOnNodeAsync(nodeId, CancellationToken.None))
        .Select(i => $"{i} {i.Status} {i.NodeId}").ToList();
}
