using Canopy.Core.States;

namespace Canopy.NodeEngine.Runtimes.Processes;

internal abstract partial class ProcessRuntime
{
    /// <summary>
    /// Takes over the instance directories a previous node engine left: an instance whose wrapper still runs is
    /// adopted as it is (no restart, same pid); one that ended meanwhile has its exit handled now (restart policy);
    /// one the node engine stopped on shutdown starts again. An instance is never started twice.
    /// </summary>
    public override Task RecoverAsync(CancellationToken ct) =>
        TakeOverDirectoriesAsync(RecoverAsync, e => e is IOException or UnauthorizedAccessException, "recovery", ct);

    private async Task<bool> RecoverAsync(ProcessInstance instance, CancellationToken ct)
    {
        if (instance.Status == InstanceStatus.Undeployed)
        {
            // A removal was interrupted: finish it.
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            DeleteDirectory(instance);
            Forget(instance);
            return false;
        }

        if (instance.HasEnded && !instance.StoppedByNode)
        {
            Report(instance);
            return false;
        }

        if (instance.IsProcessAlive)
        {
            // Not our child: the watcher polls /proc for it.
            ProcessLog.Adopted(Logger, instance.Key.ToString(), instance.Pid!.Value);
            if (!Transition(instance, InstanceStatus.Running, instance.Detail))
            {
                Report(instance);
            }

            Watch(instance, alreadyExited: false);
            return true;
        }

        if (instance.StoppedByNode || instance.Pid is null && !instance.RestartPending)
        {
            // Stopped with the node engine, or never got as far as a process: start it, whatever the policy says.
            await instance.Cgroup.KillAllAsync(ct).ConfigureAwait(false);
            await StartAfreshAsync(instance, ct).ConfigureAwait(false);
            return false;
        }

        // It ended while no node engine watched: handle the exit as if we had seen it.
        Watch(instance, alreadyExited: true);
        return false;
    }
}
