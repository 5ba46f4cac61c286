using Canopy.Core.States;
using Canopy.Cri;
using Canopy.Cri.V1;
using Grpc.Core;

namespace Canopy.NodeEngine.Runtimes.Container;

internal sealed partial class ContainerRuntime
{
    /// <summary>containerd's <c>reason</c> for a container the kernel's OOM killer ended.</summary>
    private const string OomKilledReason = "OOMKilled";

    /// <summary>
    /// One exit of <paramref name="containerId"/>: report DEAD or COMPLETED at once, then (as the policy says) wait the
    /// back-off and run a new container. Ends early when the instance is stopped, removed or redeployed meanwhile.
    /// </summary>
    private Task SuperviseExitAsync(ContainerInstance instance, string containerId, CancellationToken life) =>
        SuperviseQuietlyAsync(
            instance, "exit handling", () => HandleExitAndRestartAsync(instance, ct => HandleExitAsync(instance, containerId, ct), life), life);

    /// <summary>
    /// Reads why the container ended, applies the restart policy and reports the outcome. An instance that will
    /// not run again gives up its container and sandbox (address and ports; the log stays). Null when it did not end
    /// after all (the watch loop's list was older than a restart) or is no longer this run (stopped, removed, redeployed).
    /// </summary>
    private async Task<ExitDecision?> HandleExitAsync(ContainerInstance instance, string containerId, CancellationToken ct)
    {
        if (instance.Removed || instance.ContainerId != containerId || instance.Status != InstanceStatus.Running)
        {
            return null;
        }

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
        catch (CriException e) when (e.StatusCode == StatusCode.NotFound)
        {
            vanished = true;
        }

        var decision = DecideExit(instance, exitCode, oomKilled: reason == OomKilledReason, vanished ? "the container disappeared from containerd" : null);
        if (!decision.Restart)
        {
            try
            {
                await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
                SaveState(instance);
            }
            catch (CriException e)
            {
                Log.ActionFailed(e, instance.Key.ToString(), "releasing the sandbox of an ended instance");
            }
        }

        return decision;
    }
}
