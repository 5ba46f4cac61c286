using Canopy.Contracts.Net;
using Canopy.Net;

namespace Canopy.NodeEngine.NetManager;

/// <summary>Stand-in until Canopy.Net's NodeNetwork is merged.</summary>
internal sealed class NodeKernelNetwork : INodeNetwork
{
    public NodeNetTable? Current => null;

    public IReadOnlyDictionary<string, double> Latency { get; } = new Dictionary<string, double>();

    public static INodeNetwork Create(IServiceProvider services) => new NodeKernelNetwork();

    public Task<NodeOverlay> PrepareAsync(NodeNetSettings settings, CancellationToken ct) =>
        throw new NodeNetworkUnavailableException("the kernel net manager is not built into this node engine");

    public Task SetIdentityAsync(string nodeId, string subnet, CancellationToken ct) => Task.CompletedTask;

    public Task ApplyAsync(NodeNetTable table, CancellationToken ct) => Task.CompletedTask;

    public Task RemoveAsync(CancellationToken ct) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
