using System.Net.Sockets;
using Canopy.Contracts.Mqtt;
using Canopy.Mqtt;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>What <see cref="NodeLeave.RunAsync"/> did: <see cref="ClusterProblem"/> says why the cluster was not told, if it was not.</summary>
public sealed record NodeLeaveResult(string NodeName, string? ClusterProblem, int InstancesRemoved, string Bridge, string DataDir);

/// <summary>
/// <c>canopy node --leave</c>: the node leaves its cluster for good. The cluster is told first (it moves the node's instances
/// elsewhere and forgets the node), then every instance goes, Canopy's containerd stops, and what the node made in the kernel
/// (bridge, CNI rules, mounts) goes with its data dir. Refused while a node engine runs over the data dir.
/// </summary>
public static class NodeLeave
{
    private static readonly TimeSpan ClusterWait = TimeSpan.FromSeconds(20);

    /// <summary>Runs the leave with the services of <paramref name="host"/>, which must not have been started; disposes it.</summary>
    public static async Task<NodeLeaveResult> RunAsync(IHost host, CancellationToken ct)
    {
        var services = host.Services;
        var options = services.GetRequiredService<NodeEngineOptions>();
        var loggers = services.GetRequiredService<ILoggerFactory>();
        using var held = NodeDataDir.Lock(options) ?? throw new InvalidOperationException(NodeDataDir.InUse(options));

        // Canopy's containerd stops with the runtimes instead of outliving them.
        options.StopInstancesOnShutdown = true;
        var instances = services.GetRequiredService<NodeInstances>();
        await instances.RecoverAsync(ct).ConfigureAwait(false);
        var problem = await TellClusterAsync(services, options, loggers.CreateLogger<MqttClient>(), ct).ConfigureAwait(false);
        var removed = await instances.RemoveAllAsync(ct).ConfigureAwait(false);
        var network = services.GetRequiredService<HostNetwork>();
        host.Dispose();
        network.RemoveOwn();
        Directory.Delete(options.DataDir, recursive: true);
        return new NodeLeaveResult(options.NodeName, problem, removed, network.Bridge, options.DataDir);
    }

    /// <summary>Null once the cluster confirmed; otherwise why it could not be told (it then sees the node as lost).</summary>
    private static async Task<string?> TellClusterAsync(
        IServiceProvider services, NodeEngineOptions options, ILogger<MqttClient> log, CancellationToken ct)
    {
        if (services.GetRequiredService<NodeIdentityStore>().Load() is null)
        {
            return "this node never registered with a cluster";
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(ClusterWait);
        try
        {
            var registration = await services.GetRequiredService<ClusterRegistrar>().RegisterAsync(deadline.Token).ConfigureAwait(false);
            var left = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var client = new MqttClient(ClusterSession.ClientOptions(options, registration, "leave"), log);
            await using (client.ConfigureAwait(false))
            {
                client.MessageReceived += message =>
                {
                    if (message.Topic == NodeTopics.ControlLeft(registration.Id))
                    {
                        left.TrySetResult();
                    }

                    return Task.CompletedTask;
                };
                await client.ConnectAsync(deadline.Token).ConfigureAwait(false);
                await client.SubscribeAsync(NodeTopics.ControlLeft(registration.Id), MqttQos.AtLeastOnce, deadline.Token).ConfigureAwait(false);
                await client.PublishAsync(NodeTopics.Leave(registration.Id), "{}"u8.ToArray(), MqttQos.AtLeastOnce, retain: false, deadline.Token)
                    .ConfigureAwait(false);
                await left.Task.WaitAsync(deadline.Token).ConfigureAwait(false);
                await client.DisconnectAsync(deadline.Token).ConfigureAwait(false);
                return null;
            }
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return $"the cluster at {options.ClusterUrl} did not confirm within {ClusterWait.TotalSeconds:0} s";
        }
        catch (Exception e) when (e is MqttConnectException or SocketException or IOException or TimeoutException)
        {
            return $"the cluster's broker could not be reached: {e.Message}";
        }
    }
}
