using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Processes;

namespace Canopy.NodeEngine.Runtimes.Vm;

internal sealed partial class VmRuntime
{
    private static readonly TimeSpan ReadyPollInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan PowerdownConnectTimeout = TimeSpan.FromSeconds(2);

    /// <summary>The instance log's length when QEMU was started: console output beyond it is this boot's.</summary>
    private readonly ConcurrentDictionary<InstanceKey, long> _consoleStart = new();

    /// <summary>
    /// Up when the guest accepted a connection on its first TCP port (<see cref="GuestPortProbe"/>); without one, when it
    /// printed on its console. QEMU ending first, or <see cref="NodeEngineOptions.VmBootTimeout"/> passing, fails the instance
    /// for good (the base kills what is left): a guest that cannot boot does not heal by booting it again.
    /// </summary>
    protected override async Task<string?> WaitUntilReadyAsync(ProcessInstance instance, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var timeout = Options.VmBootTimeout;
        var consoleStart = _consoleStart.TryGetValue(instance.Key, out var length) ? length : 0;
        PortMappings.TryParse(instance.Spec.Port, out var ports, out _);
        var tcp = FirstTcp(ports);
        QmpClient? qmp = null;
        try
        {
            while (true)
            {
                // Console output first: a guest that printed and ended at once was up, and its exit is the supervisor's.
                if (tcp is null && LogLength(instance) > consoleStart)
                {
                    return null;
                }

                if (!instance.IsProcessAlive)
                {
                    return $"QEMU ended before the guest was up{ConsoleTail(instance, consoleStart)}";
                }

                if (tcp is not null)
                {
                    try
                    {
                        qmp ??= File.Exists(QmpSocket(instance)) ? await QmpClient.ConnectAsync(QmpSocket(instance), ct).ConfigureAwait(false) : null;
                        var hostPort = ProcessEnvironment.HostPort(tcp, instance.Key.InstanceNumber);
                        if (qmp is not null && await GuestPortProbe.ServesAsync(qmp, hostPort, tcp.ContainerPort, ct).ConfigureAwait(false))
                        {
                            return null;
                        }
                    }
                    catch (QmpException)
                    {
                        // QEMU still starting (or ending: the next round sees it).
                        await DisposeQuietlyAsync(qmp).ConfigureAwait(false);
                        qmp = null;
                    }
                }

                if (Stopwatch.GetElapsedTime(started) > timeout)
                {
                    var waited = tcp is null
                        ? "it printed nothing on its console"
                        : $"port {tcp.ContainerPort.ToString(CultureInfo.InvariantCulture)} did not answer";
                    return $"guest did not boot within {timeout.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ({waited}; Node:VmBootTimeout){ConsoleTail(instance, consoleStart)}";
                }

                await Task.Delay(ReadyPollInterval, ct).ConfigureAwait(false);
            }
        }
        finally
        {
            await DisposeQuietlyAsync(qmp).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A running guest gets the ACPI power button (QMP <c>system_powerdown</c>): it shuts down on its own, and QEMU ends with
    /// it; one that ignores it is killed when the grace period ends. A guest still booting is simply terminated.
    /// </summary>
    protected override async Task RequestStopAsync(ProcessInstance instance, int processGroup, CancellationToken ct)
    {
        if (instance.Status == InstanceStatus.Running && File.Exists(QmpSocket(instance)))
        {
            try
            {
                using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
                connect.CancelAfter(PowerdownConnectTimeout);
                await using var qmp = await QmpClient.ConnectAsync(QmpSocket(instance), connect.Token).ConfigureAwait(false);
                await qmp.ExecuteAsync("system_powerdown", null, connect.Token).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is QmpException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                // QEMU does not answer on its socket: the signal below.
            }
        }

        await base.RequestStopAsync(instance, processGroup, ct).ConfigureAwait(false);
    }

    /// <summary>For messages: the last line the guest printed in this boot, if any.</summary>
    private static string ConsoleTail(ProcessInstance instance, long consoleStart)
    {
        try
        {
            using var log = File.OpenRead(instance.Paths.Log);
            var from = Math.Max(consoleStart, log.Length - 2048);
            if (from >= log.Length)
            {
                return "; its console stayed empty";
            }

            log.Seek(from, SeekOrigin.Begin);
            var buffer = new byte[log.Length - from];
            log.ReadExactly(buffer);
            var last = Encoding.UTF8.GetString(buffer)
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                .Select(line => new string(line.Where(c => !char.IsControl(c)).ToArray()))
                .LastOrDefault(line => line.Length > 0);
            return last is null ? "; its console stayed empty" : $"; last console line: {last}";
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static async Task DisposeQuietlyAsync(QmpClient? qmp)
    {
        if (qmp is not null)
        {
            await qmp.DisposeAsync().ConfigureAwait(false);
        }
    }
}
