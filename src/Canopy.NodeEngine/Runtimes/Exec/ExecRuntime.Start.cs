using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.NetManager;

namespace Canopy.NodeEngine.Runtimes.Exec;

internal sealed partial class ExecRuntime
{
    /// <summary>
    /// Starts the instance's process (status CREATING → RUNNING) or fails it (→ FAILED, final until redeployed:
    /// a bad spec or a taken port does not heal by retrying). Called under the instance's gate; the caller watches it.
    /// </summary>
    private async Task<bool> StartProcessAsync(ExecInstance instance, CancellationToken ct)
    {
        var spec = instance.Spec;
        var key = instance.Key;
        if (spec.Cmd.Count == 0)
        {
            return Fail(instance, "exec services need a cmd");
        }

        if (spec.Privileged && !Options.ExecAsRoot)
        {
            return Fail(instance, $"privileged exec services run as root, which node {Options.NodeName} does not allow: its operator allows it with canopy node --exec-as-root");
        }

        if (!PortMappings.TryParse(spec.Port, out var ports, out var portError))
        {
            return Fail(instance, $"invalid port field: {portError}");
        }

        // Whatever an earlier run left in the group (a child that outlived its wrapper) goes first: never two
        // copies, and no port held by a leftover.
        await instance.Cgroup.KillAllAsync(ct).ConfigureAwait(false);

        foreach (var mapping in ports)
        {
            var port = ExecEnvironment.HostPort(mapping, key.InstanceNumber);
            if (string.Equals(mapping.Protocol, "tcp", StringComparison.OrdinalIgnoreCase) && !PortProbe.IsTcpPortFree(port))
            {
                return Fail(instance, $"port {port.ToString(CultureInfo.InvariantCulture)} is already in use on node {Options.NodeName}");
            }
        }

        var limitsNote = instance.Cgroup.Setup(spec.Memory, spec.Vcpus);
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
        if (InstanceHosts.ExecCanMount)
        {
            _hosts.Write(paths.Dir, spec, machineEntries: true);
        }
        else
        {
            File.Delete(paths.Hosts);
        }

        var environment = ExecEnvironment.Build(spec, key, ports, paths.Home);

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
            var info = ExecWrapper.CreateStartInfo(spec.JobName, paths, runAs.Concat(spec.Cmd).Concat(spec.Args), environment);
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
        MarkRunning(instance, limitsNote);
        ExecLog.Started(Logger, key.ToString(), pid, limitsNote is null ? "" : $" ({limitsNote})");
        return true;
    }
}
