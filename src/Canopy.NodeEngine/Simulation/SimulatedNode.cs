using System.Diagnostics;
using Canopy.Contracts.Registration;
using Canopy.Net;
using Canopy.NodeEngine.ClusterLink;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.NetManager;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Runtimes;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Simulation;

/// <summary>
/// One simulated node: the node engine's own registrar and <see cref="ClusterSession"/> (join token with the cluster's pin, HTTPS
/// registration, its own broker credentials, MQTT over TLS, the real report schedule) over <see cref="SimulatedRuntime"/>s
/// instead of processes and containers, and without overlay or kernel state. <see cref="Kill"/> cuts its connection as a crash
/// would (the broker publishes its will); <see cref="Revive"/> brings it back with the id it had.
/// </summary>
internal sealed class SimulatedNode
{
    private readonly NodeEngineOptions _options;
    private readonly ResourceMonitor _monitor;
    private readonly SemaphoreSlim _registering;
    private readonly JoinTimings _joins;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly NodeIdentityStore _identity;
    private readonly ClusterTrust _trust;
    private readonly NodeFacts _facts;
    private readonly NodeInstances _instances;
    private readonly NodeSubnet _subnet;
    private readonly HostNetwork _network;
    private readonly NodeNetManager _net;
    private readonly Lock _sync = new();
    private CancellationTokenSource? _life;
    private Task _running = Task.CompletedTask;
    private volatile ClusterSession? _session;
    private volatile NodeReadiness _readiness = new();

    public SimulatedNode(NodeEngineOptions options, ResourceMonitor monitor, SemaphoreSlim registering, JoinTimings joins, ILoggerFactory loggers)
    {
        _options = options;
        _monitor = monitor;
        _registering = registering;
        _joins = joins;
        _loggers = loggers;
        _log = loggers.CreateLogger<SimulatedNode>();
        Directory.CreateDirectory(options.DataDir);
        _identity = new NodeIdentityStore(options);
        _trust = new ClusterTrust(options, _identity);
        _facts = new NodeFacts(options);
        IRuntime[] runtimes = [new SimulatedRuntime(Core.Descriptors.Virtualizations.Exec), new SimulatedRuntime(Core.Descriptors.Virtualizations.Container)];
        _instances = new NodeInstances(runtimes, options, monitor, loggers.CreateLogger<NodeInstances>());

        // Nothing to take over: a simulated runtime starts empty (NodeInstances holds every command until this is done).
        _instances.RecoverAsync(CancellationToken.None).GetAwaiter().GetResult();
        _subnet = new NodeSubnet(options);
        _network = new HostNetwork(options, _subnet, loggers.CreateLogger<HostNetwork>());
        _net = new NodeNetManager(options, _facts, _subnet, _network, new NodeNetwork(), new InstanceHosts(options), loggers.CreateLogger<NodeNetManager>());
    }

    public string Name => _options.NodeName;

    /// <summary>Why it cannot talk to its cluster as configured (a join token without the pin of an https cluster); null when it can.</summary>
    public string? Problem => _trust.Problem;

    /// <summary>Registered, connected and online since it was last (re)started.</summary>
    public bool IsOnline => _session is not null && _readiness.Connected.IsCompleted;

    public bool IsAlive
    {
        get
        {
            lock (_sync)
            {
                return _life is not null;
            }
        }
    }

    /// <summary>Registers (or registers again) and holds its MQTT session until killed or stopped; a no-op while alive.</summary>
    public void Revive()
    {
        lock (_sync)
        {
            if (_life is not null)
            {
                return;
            }

            _life = new CancellationTokenSource();
            _readiness = new NodeReadiness();
            var life = _life.Token;
            _running = Task.Run(() => LiveAsync(life), CancellationToken.None);
        }
    }

    /// <summary>Cuts the broker connection without DISCONNECT (the cluster sees the will, as after a crash or a cut cable).</summary>
    public Task Kill() => EndAsync(cut: true);

    /// <summary>Offline and DISCONNECT, as a node engine that is stopped.</summary>
    public Task StopAsync() => EndAsync(cut: false);

    private async Task EndAsync(bool cut)
    {
        Task running;
        lock (_sync)
        {
            if (_life is null)
            {
                return;
            }

            if (_session is { } session)
            {
                session.CutOnStop = cut;
            }

            _life.Cancel();
            _life.Dispose();
            _life = null;
            running = _running;
        }

        try
        {
            await running.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ended on purpose.
        }
    }

    private async Task LiveAsync(CancellationToken life)
    {
        while (!life.IsCancellationRequested)
        {
            try
            {
                NodeRegisterResponse registration;
                using (var registrar = new ClusterRegistrar(_options, _identity, _facts, _monitor, _instances, _subnet, _network, _net, _trust,
                           _loggers.CreateLogger<ClusterRegistrar>()))
                {
                    // A few at a time: thousands of TLS handshakes at once measure the machine, not the cluster.
                    var waiting = Stopwatch.GetTimestamp();
                    await _registering.WaitAsync(life).ConfigureAwait(false);
                    var slot = Stopwatch.GetTimestamp();
                    try
                    {
                        registration = await registrar.RegisterAsync(life).ConfigureAwait(false);
                    }
                    finally
                    {
                        _registering.Release();
                    }

                    _joins.Registered(Stopwatch.GetElapsedTime(waiting, slot), Stopwatch.GetElapsedTime(slot));
                }

                _readiness.SetRegistered(registration.Id);
                _joins.Connecting(_readiness.Connected, Stopwatch.GetTimestamp());
                var session = new ClusterSession(_options, registration, _instances, _facts, _monitor, _readiness, _net, _trust, _loggers);
                _session = session;
                var end = await session.RunAsync(life).ConfigureAwait(false);
                _session = null;
                if (end == SessionEnd.Stopped)
                {
                    return;
                }
            }
            catch (OperationCanceledException) when (life.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                SimulationLog.NodeFailed(_log, e, Name);
                await Task.Delay(TimeSpan.FromSeconds(2), life).ConfigureAwait(false);
            }
        }
    }
}
