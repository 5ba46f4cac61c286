using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.NetManager;

namespace Canopy.NodeEngine.Runtimes.Processes;

internal abstract partial class ProcessRuntime
{
    /// <summary>
    /// Starts the instance's process (status CREATING → RUNNING) or fails it (→ FAILED, final until redeployed:
    /// a bad spec or a taken port does not heal by retrying). Called under the instance's gate; the caller watches it.
    /// </summary>
    private async Task<bool> StartProcessAsync(ProcessInstance instance, CancellationToken ct)
    {
        var spec = instance.Spec;
        var key = instance.Key;
        if (!PortMappings.TryParse(spec.Port, out var ports, out var portError))
        {
            return Fail(instance, $"invalid port field: {portError}");
        }

        // Whatever an earlier run left in the group (a child that outlived its wrapper) goes first: never two
        // copies, and no port held by a leftover.
        await instance.Cgroup.KillAllAsync(ct).ConfigureAwait(false);

        foreach (var mapping in ports)
        {
            var port = ProcessEnvironment.HostPort(mapping, key.InstanceNumber);
            if (string.Equals(mapping.Protocol, "tcp", StringComparison.OrdinalIgnoreCase) && !PortProbe.IsTcpPortFree(port))
            {
                return Fail(instance, $"port {port.ToString(CultureInfo.InvariantCulture)} is already in use on node {Options.NodeName}");
            }
        }

        var limitsNote = instance.Cgroup.Setup(MemoryLimitMb(spec), spec.Vcpus);
        var paths = instance.Paths;
        Directory.CreateDirectory(paths.Dir);
        if (PrepareUser(instance, out var userError) is not { } runAs)
        {
            return Fail(instance, userError!);
        }

        if (instance.Cgroup.IsUsable)
        {
            await File.WriteAllLinesAsync(paths.Cgroups, instance.Cgroup.ProcsFiles, ct).ConfigureAwait(false);
        }
        else
        {
            File.Delete(paths.Cgroups);
        }

        File.Delete(paths.Exit);

        // The wrapper mounts it over /etc/hosts in a mount namespace of the instance's own; where it cannot, no file, no namespace.
        if (_hosts is not null && InstanceHosts.ExecCanMount)
        {
            _hosts.Write(paths.Dir, spec, machineEntries: true);
        }
        else
        {
            File.Delete(paths.Hosts);
        }

        var environment = ProcessEnvironment.Build(spec, key, ports, paths.Home);
        if (await CommandAsync(instance, new ProcessStart(ports, environment), ct).ConfigureAwait(false) is not { } command)
        {
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            return false;
        }

        // An exec process sees the machine's file system, where the SLA's paths may not exist: it finds each file under this directory.
        if (Secrets.WriteFiles(key, spec).Count > 0)
        {
            environment[InstanceSecrets.DirVariable] = Secrets.DirOf(key);
            if (instance.Uid is { } uid)
            {
                Secrets.GiveTo(key, uid);
            }
        }

        instance.HostPort = environment.GetValueOrDefault("PORT");
        instance.OomKillsAtStart = instance.Cgroup.ReadOomKills();

        Process process;
        try
        {
            var info = ProcessWrapper.CreateStartInfo(spec.JobName, paths, runAs.Concat(command), environment);
            process = Process.Start(info) ?? throw new InvalidOperationException("the process did not start");
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            return Fail(instance, $"cannot start the process: {e.Message}");
        }

        var pid = process.Id;

        // The start time pins this pid to this process; a wrapper that already ended (and was reaped) has none,
        // which the supervisor handles like any exit.
        var startTime = ProcessStat.Read(ProcessStat.PathOf(pid))?.StartTime ?? 0;
        instance.Child?.Dispose();
        instance.Child = process;
        instance.SetProcess(pid, startTime, DateTimeOffset.UtcNow);
        ProcessLog.Started(Logger, key.ToString(), pid, limitsNote is null ? "" : $" ({limitsNote})");
        string? notReady;
        try
        {
            notReady = await WaitUntilReadyAsync(instance, instance.Life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (instance.Life.IsCancellationRequested)
        {
            // Stopped or removed while starting: whoever ended its life ends the process too.
            return false;
        }

        if (notReady is not null)
        {
            await TerminateAsync(instance, ct).ConfigureAwait(false);
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            return Fail(instance, notReady);
        }

        MarkRunning(instance, RunningDetail(instance, limitsNote));
        return true;
    }
}
