using System.Globalization;
using Canopy.Core.States;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes.Processes;

internal abstract partial class ProcessRuntime
{
    private static readonly TimeSpan AdoptedPollInterval = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan StopPollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// The instance's watcher: waits for the process to end, applies the restart policy, waits the back-off and
    /// starts it again, for as long as it lives. <paramref name="alreadyExited"/>: it ended while the node engine was down.
    /// </summary>
    private void Watch(ProcessInstance instance, bool alreadyExited)
    {
        var life = instance.Life.Token;
        instance.Supervisor = Task.Run(
            () => SuperviseQuietlyAsync(instance, "supervision", () => SuperviseAsync(instance, alreadyExited, life), life), CancellationToken.None);
    }

    private async Task SuperviseAsync(ProcessInstance instance, bool alreadyExited, CancellationToken life)
    {
        bool runsAgain;
        do
        {
            var exitCode = alreadyExited ? ReadExitFile(instance) : await WaitForExitAsync(instance, life).ConfigureAwait(false);

            // A process group seen ending just now is ours; after a node engine downtime its number may belong to another.
            var groupIsOurs = !alreadyExited;
            alreadyExited = false;
            runsAgain = await HandleExitAndRestartAsync(
                instance, ct => HandleExitAsync(instance, exitCode, groupIsOurs, ct), life).ConfigureAwait(false);
        }
        while (runsAgain);
    }

    /// <summary>
    /// A child is awaited; an adopted process (not our child after a node engine restart) is polled in /proc, its
    /// start time guarding against a reused pid. The exit file holds the code even when we were not the parent.
    /// </summary>
    private static async Task<int?> WaitForExitAsync(ProcessInstance instance, CancellationToken life)
    {
        if (instance.Child is { } child)
        {
            await child.WaitForExitAsync(life).ConfigureAwait(false);

            // A wrapper killed before it could write the file (OOM killer, kill -9) leaves the kernel's view: 128 + signal.
            var code = ReadExitFile(instance) ?? child.ExitCode;
            child.Dispose();
            instance.Child = null;
            return code;
        }

        using var timer = new PeriodicTimer(AdoptedPollInterval);
        while (instance.IsProcessAlive)
        {
            await timer.WaitForNextTickAsync(life).ConfigureAwait(false);
        }

        return ReadExitFile(instance);
    }

    private static int? ReadExitFile(ProcessInstance instance)
    {
        try
        {
            var text = File.ReadAllText(instance.Paths.Exit).Trim();
            return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Clears what the run left, then reports DEAD or COMPLETED at once and says whether to restart.</summary>
    private async Task<ExitDecision?> HandleExitAsync(ProcessInstance instance, int? exitCode, bool groupIsOurs, CancellationToken ct)
    {
        var oomKilled = instance.Cgroup.ReadOomKills() > instance.OomKillsAtStart;

        // Background children of the workload die with it: an instance is its process group and its cgroup.
        if (groupIsOurs && instance.Pid is { } pgid)
        {
            LibC.KillGroup(pgid, LibC.SigKill);
        }

        await instance.Cgroup.KillAllAsync(ct).ConfigureAwait(false);
        if (!oomKilled && FinalFailure(instance, exitCode) is { } failure)
        {
            // FAILED is final: nothing of the instance stays on the node but its directory (spec, log), like a failed start.
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            instance.ExitCode = exitCode;
            Fail(instance, failure);
            return null;
        }

        instance.ClearRun();
        return DecideExit(instance, exitCode, oomKilled, oomKilled ? null : ExitDetail(instance, exitCode));
    }

    /// <summary>SIGTERM to the process group, <see cref="NodeEngineOptions.StopGracePeriod"/> to end, then SIGKILL to the group and the cgroup.</summary>
    private async Task TerminateAsync(ProcessInstance instance, CancellationToken ct)
    {
        var pgid = instance.IsProcessAlive ? instance.Pid : null;
        if (pgid is { } group)
        {
            // The wrapper (the group leader) still running, or anything left in its cgroup. kill(−pgid, 0) alone would
            // count a wrapper that ended but is not reaped yet (a zombie); the cgroup alone would miss a wrapper that
            // was stopped before it joined its cgroup.
            bool Alive() =>
                ProcessStat.Read(ProcessStat.PathOf(group)) is { HasExited: false } ||
                (instance.Cgroup.IsUsable ? instance.Cgroup.ReadPids().Count > 0 : LibC.KillGroup(group, 0));

            await RequestStopAsync(instance, group, ct).ConfigureAwait(false);
            var deadline = DateTime.UtcNow + Options.StopGracePeriod;
            while (DateTime.UtcNow < deadline && Alive())
            {
                await Task.Delay(StopPollInterval, ct).ConfigureAwait(false);
            }

            if (Alive() && LibC.KillGroup(group, LibC.SigKill))
            {
                ProcessLog.Killed(Logger, instance.Key.ToString(), Options.StopGracePeriod);
            }
        }

        await instance.Cgroup.KillAllAsync(ct).ConfigureAwait(false);
        if (instance.Child is { } child)
        {
            // Reaped by .NET when it notices the exit, which can take a moment after the processes are gone: not worth
            // holding up the stop for.
            instance.Child = null;
            _ = child.WaitForExitAsync(CancellationToken.None).ContinueWith(_ => child.Dispose(), TaskScheduler.Default);
        }
    }
}
