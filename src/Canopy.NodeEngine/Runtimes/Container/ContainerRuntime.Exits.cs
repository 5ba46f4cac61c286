using System.Globalization;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes.Container;

public sealed partial class ContainerRuntime
{
    /// <summary>containerd's <c>reason</c> for a container the kernel's OOM killer ended.</summary>
    private const string OomKilledReason = "OOMKilled";

    /// <summary>
    /// One exit of <paramref name="containerId"/>: report DEAD or COMPLETED at once, then (as the policy says) wait the
    /// back-off and run a new container. Ends early when the instance is stopped, removed or redeployed meanwhile.
    /// </summary>
    private async Task SuperviseExitAsync(ContainerInstance instance, string containerId, CancellationToken life)
    {
        try
        {
            ExitDecision? decision;
            await instance.Gate.WaitAsync(life).ConfigureAwait(false);
            try
            {
                if (instance.Removed || instance.ContainerId != containerId || instance.Status != InstanceStatus.Running)
                {
                    return;
                }

                decision = await HandleExitAsync(instance, containerId, life).ConfigureAwait(false);
            }
            finally
            {
                instance.Gate.Release();
            }

            if (decision is not { Restart: true })
            {
                return;
            }

            await Task.Delay(decision.Delay, life).ConfigureAwait(false);
            await instance.Gate.WaitAsync(life).ConfigureAwait(false);
            try
            {
                if (!instance.Removed && instance.RestartPending)
                {
                    await RestartAsync(instance, life).ConfigureAwait(false);
                }
            }
            finally
            {
                instance.Gate.Release();
            }
        }
        catch (OperationCanceledException) when (life.IsCancellationRequested)
        {
            // Stopped, removed, redeployed or the runtime disposed: whoever cancelled takes over.
        }
        catch (Exception e)
        {
            ContainerLog.ActionFailed(_log, e, instance.Key.ToString(), "exit handling");
        }
    }

    /// <summary>
    /// Reads why the container ended, applies the restart policy and reports the outcome. An instance that will
    /// not run again gives up its container and sandbox (address and ports; the log stays). Null when it did not end
    /// after all (the watch loop's list was older than a restart).
    /// </summary>
    private async Task<ExitDecision?> HandleExitAsync(ContainerInstance instance, string containerId, CancellationToken ct)
    {
        var cri = _cri ?? throw new InvalidOperationException("containerd is not connected");
        int? exitCode = null;
        var reason = "";
        var vanished = false;
        try
        {
            var status = await cri.ContainerStatusAsync(containerId, ct).ConfigureAwait(false);
            if (status.State is ContainerState.ContainerRunning or ContainerState.ContainerCreated)
            {
                return null;
            }

            exitCode = status.ExitCode;
            reason = status.Reason;
        }
        catch (CriException e) when (e.StatusCode == GrpcStatus.NotFound)
        {
            vanished = true;
        }

        if (instance.StartedAt is { } startedAt && DateTimeOffset.UtcNow - startedAt >= RestartRules.StableRun)
        {
            instance.ConsecutiveRestarts = 0;
        }

        var oomKilled = reason == OomKilledReason;
        var decision = RestartRules.OnExit(
            instance.Spec.RestartPolicy, instance.Spec.OneShot, exitCode, Signals.FromExitCode(exitCode), oomKilled, instance.ConsecutiveRestarts);
        var detail = vanished ? "the container disappeared from containerd" : decision.Detail;
        var outcome = decision.Restart
            ? $"restarting in {decision.Delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
            : "not restarted";

        instance.ExitCode = exitCode;
        instance.RestartPending = decision.Restart;
        Transition(instance, decision.Status, $"{detail}; {outcome}");
        ContainerLog.Exited(_log, instance.Key.ToString(), detail, outcome);
        if (!decision.Restart)
        {
            try
            {
                await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
                SaveState(instance);
            }
            catch (CriException e)
            {
                ContainerLog.ActionFailed(_log, e, instance.Key.ToString(), "releasing the sandbox of an ended instance");
            }
        }

        return decision;
    }
}
