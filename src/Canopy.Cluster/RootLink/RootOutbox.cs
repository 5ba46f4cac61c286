using System.Text.Json;
using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Link;

namespace Canopy.Cluster.RootLink;

/// <summary>
/// Messages waiting for the root link. Producers never wait for the link: while it is down the queue keeps only the newest
/// messages, and a new connection drops them all because its <c>hello</c> carries the whole state anyway.
/// </summary>
internal sealed class RootOutbox
{
    private const int Capacity = 10_000;

    private readonly Channel<PendingLinkMessage> _messages = Channel.CreateBounded<PendingLinkMessage>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private readonly Channel<bool> _resourcesChanged = Channel.CreateBounded<bool>(
        new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite, SingleReader = true });

    public ChannelReader<PendingLinkMessage> Messages => _messages.Reader;

    /// <summary>Signalled when the cluster's resources may have changed (a node came, went, or reported).</summary>
    public ChannelReader<bool> ResourcesChanged => _resourcesChanged.Reader;

    public void InstanceStatus(InstanceReport report) => Enqueue(LinkMessageTypes.InstanceStatus, report);

    public void Response(LinkResponse response) => Enqueue(LinkMessageTypes.Response, response);

    public void NetNodes(ClusterNetNodes nodes) => Enqueue(LinkMessageTypes.NetNodes, nodes);

    public void NodeStatus(NodeLivenessChange change) => Enqueue(LinkMessageTypes.NodeStatus, change);

    public void SubnetBlocksRequest(SubnetBlocksRequest request) => Enqueue(LinkMessageTypes.SubnetBlocksRequest, request);

    public void SignalResourcesChanged() => _resourcesChanged.Writer.TryWrite(true);

    /// <summary>Drops what was queued for an earlier connection.</summary>
    public void Clear()
    {
        while (_messages.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Serialised now, so later changes to the source do not leak into a message already queued.</summary>
    private void Enqueue<T>(string type, T payload) =>
        _messages.Writer.TryWrite(new PendingLinkMessage(type, JsonSerializer.SerializeToElement(payload, CanopyJson.Options)));
}

internal sealed record PendingLinkMessage(string Type, JsonElement Payload);
