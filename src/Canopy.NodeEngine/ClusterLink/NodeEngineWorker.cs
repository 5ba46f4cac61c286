using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.ClusterLink;

/// <summary>
/// The node engine's life: prepare the overlay, take over the instances a previous run left (before the cluster hears of the
/// node, so its first inventory is complete), then register and hold the MQTT session, registering again whenever the
/// session says so. On stop: offline and disconnect, then leave the instances running or stop them as configured.
/// </summary>
internal sealed class NodeEngineWorker(
    NodeEngineOptions options,
    NodeInstances instances,
    ClusterRegistrar registrar,
    NodeFacts facts,
    ResourceMonitor monitor,
    NodeReadiness readiness,
    NodeNetManager net,
    ClusterTrust trust,
    ILoggerFactory loggers) : BackgroundService
{
    private static readonly TimeSpan FailureDelay = TimeSpan.FromSeconds(2);
    private readonly ILogger _log = loggers.CreateLogger<NodeEngineWorker>();
    private FileStream? _dataDirLock;

    /// <summary>
    /// One node engine per data dir: two would adopt, restart and remove each other's instances. A node that cannot check its
    /// cluster (an https cluster and no pin) does not start: the operator needs the whole join token.
    /// </summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (trust.Problem is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        _dataDirLock = NodeDataDir.Lock(options) ?? throw new InvalidOperationException(NodeDataDir.InUse(options));
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The overlay first: the registration carries its endpoint. Meanwhile the cluster's TLS connection is opened, for the registration to reuse.
        registrar.Connect(stoppingToken);
        await net.StartAsync(stoppingToken).ConfigureAwait(false);

        // Registration goes ahead while the runtimes take over what a previous run left (starting its own containerd takes most
        // of a second): NodeInstances holds back commands and the inventory until they are done.
        var recovery = instances.RecoverAsync(stoppingToken);
        _ = Task.WhenAll(readiness.Connected, recovery)
            .ContinueWith(_ => StartupMemory.Release(), stoppingToken, TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
        while (!stoppingToken.IsCancellationRequested)
        {
            if (recovery.IsFaulted)
            {
                await recovery.ConfigureAwait(false);
            }

            try
            {
                var registration = await registrar.RegisterAsync(stoppingToken).ConfigureAwait(false);
                readiness.SetRegistered(registration.Id);

                // The overlay takes its address (and encryption) while the MQTT session connects: the session goes online after both.
                var overlayIdentity = net.SetIdentityAsync(registration.Id, registration.OverlayEncryption, stoppingToken);
                var session = new ClusterSession(options, registration, instances, facts, monitor, readiness, net, trust, loggers, overlayIdentity);
                if (await session.RunAsync(stoppingToken).ConfigureAwait(false) == SessionEnd.Stopped)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A bug or an unexpected answer must not end the node engine: its instances still need watching.
                LinkLog.SessionFailed(_log, e, FailureDelay);
                await Task.Delay(FailureDelay, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await base.StopAsync(cancellationToken).ConfigureAwait(false);
            await instances.ShutdownAsync(options.StopInstancesOnShutdown, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _dataDirLock?.Dispose();
        }
    }

    public override void Dispose()
    {
        _dataDirLock?.Dispose();
        base.Dispose();
    }
}
