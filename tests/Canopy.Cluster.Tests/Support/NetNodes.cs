using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;
using Canopy.Core.Descriptors;
using Canopy.Mqtt;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Support;

/// <summary>Fake nodes with an overlay endpoint that report container addresses in their subnets, and an observer of every net table.</summary>
internal static class NetNodes
{
    /// <summary>Node <paramref name="index"/> (1..9): its own underlay address and VTEP MAC; containers get <c>subnet + 2 + instance number</c>.</summary>
    public static FakeNodeOptions Options(int index) => new()
    {
        Ip = $"192.0.2.{index}",
        Virtualization = [Virtualizations.Container, Virtualizations.Exec],
        Overlay = new NodeOverlay($"02:00:00:00:00:0{index}", 4789, 1450),
        InstanceIp = (node, deploy) => deploy.Service.Virtualization == Virtualizations.Container
            ? ContainerAddress(node, deploy.InstanceNumber)
            : $"192.0.2.{index}",
    };

    public static string ContainerAddress(FakeNode node, int instanceNumber) =>
        Ipv4Network.TryParse(node.Registration.Subnet, out var subnet)
            ? Ipv4.Format(subnet.Address + 2 + (uint)instanceNumber)
            : throw new InvalidOperationException($"node {node.Host} has no subnet");

    public static ServiceSpec Container(string app, string service, string node, string? rrIp = null) => Specs.Exec() with
    {
        JobName = $"{app}.test.{service}.test",
        AppName = app,
        ServiceName = service,
        Virtualization = Virtualizations.Container,
        Code = "canopy/busybox:1",
        Cmd = [],
        RrIp = rrIp,
        Constraints = [new SlaConstraint { Type = "direct", Node = node }],
    };

    public static ServiceSpec Exec(string app, string service, string node, string port) => Specs.Exec() with
    {
        JobName = $"{app}.test.{service}.test",
        AppName = app,
        ServiceName = service,
        Port = port,
        Constraints = [new SlaConstraint { Type = "direct", Node = node }],
    };

    /// <summary>A client of the cluster's broker with the cluster's own account, subscribed to every node's net table.</summary>
    public static async Task<(MqttClient Client, RecordedList<(string NodeId, NodeNetTable? Table)> Tables)> ObserveAsync(TestCluster cluster)
    {
        var user = await cluster.Services.GetRequiredService<Canopy.Cluster.Broker.BrokerUsers>().GetClusterUserAsync(CancellationToken.None);
        var client = new MqttClient(new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = cluster.Options.Mqtt.Port,
            ClientId = "net-table-observer",
            Username = user.Username,
            Password = user.Password,
            Tls = cluster.BrokerTls,
        });
        var tables = new RecordedList<(string, NodeNetTable?)>();
        client.MessageReceived += message =>
        {
            NodeTopics.TryParse(message.Topic, out var nodeId, out _);
            tables.Add((nodeId, message.Payload.IsEmpty ? null : CanopyJson.Deserialize<NodeNetTable>(message.Payload.Span)));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(CancellationToken.None);
        await client.SubscribeAsync("nodes/+/net/table", MqttQos.AtLeastOnce, CancellationToken.None);
        return (client, tables);
    }
}
