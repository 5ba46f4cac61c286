using System.Globalization;
using Canopy.Core.States;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes;

internal abstract partial class RuntimeBase<TInstance, TState>
{
    /// <summary>
    /// Runs an instance's supervision until its life ends. Cancellation means whoever ended the life (stop, removal,
    /// redeploy, dispose) takes over; any other error is logged as a failure of <paramref name="action"/>, never thrown:
    /// nobody awaits a supervisor but the next one to take over.
    /// </summary>
    protected async Task SuperviseQuietlyAsync(TInstance instance, string action, Func<Task> supervise, CancellationToken life)
    {
        try
        {
            await supervise().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (life.IsCancellationRequested)
        {
            // Stopped, removed, redeployed or the runtime disposed: whoever cancelled takes over.
        }
        catch (Exception e)
        {
            Log.ActionFailed(e, instance.Key.ToString(), action);
        }
    }

    /// <summary>
    /// One exit: <paramref name="handleExit"/> decides under the gate (null: it did not end after all); on a restart the
    /// back-off is waited outside the gate, then the instance starts again under it. True when it runs again.
    /// </summary>
    protected async Task<bool> HandleExitAndRestartAsync(
        TInstance instance, Func<CancellationToken, Task<ExitDecision?>> handleExit, CancellationToken life)
    {
        ExitDecision? decision;
        await instance.Gate.WaitAsync(life).ConfigureAwait(false);
        try
        {
            decision = await handleExit(life).ConfigureAwait(false);
        }
        finally
        {
            instance.Gate.Release();
        }

        if (decision is not { Restart: true })
        {
            return false;
        }

        await Task.Delay(decision.Delay, life).ConfigureAwait(false);
        await instance.Gate.WaitAsync(life).ConfigureAwait(false);
        try
        {
            return !instance.Removed && instance.RestartPending && await RestartAsync(instance, life).ConfigureAwait(false);
        }
        finally
        {
            instance.Gate.Release();
        }
    }

    /// <summary>
    /// Applies the restart policy to an exit and reports DEAD or COMPLETED at once, with the outcome in the detail.
    /// A run that lasted <see cref="RestartRules.StableRun"/> resets the back-off. <paramref name="detail"/> replaces
    /// the policy's description of the exit when the runtime knows better. Called under the instance's gate.
    /// </summary>
    protected ExitDecision DecideExit(TInstance instance, int? exitCode, bool oomKilled, string? detail = null)
    {
        if (instance.StartedAt is { } startedAt && DateTimeOffset.UtcNow - startedAt >= RestartRules.StableRun)
        {
            instance.ConsecutiveRestarts = 0;
        }

        var decision = RestartRules.OnExit(
            instance.Spec.RestartPolicy, instance.Spec.OneShot, exitCode, Signals.FromExitCode(exitCode), oomKilled, instance.ConsecutiveRestarts);
        detail ??= decision.Detail;
        var outcome = decision.Restart
            ? $"restarting in {decision.Delay.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture)} s"
            : "not restarted";

        instance.ExitCode = exitCode;
        instance.RestartPending = decision.Restart;
        Transition(instance, decision.Status, $"{detail}; {outcome}");
        Log.Exited(instance.Key.ToString(), detail, outcome);
        return decision;
    }

    /// <summary>The restart of a DEAD instance whose back-off is over: counted, CREATING, then started again. Called under the gate.</summary>
    protected async Task<bool> RestartAsync(TInstance instance, CancellationToken ct)
    {
        instance.RestartCount++;
        instance.ConsecutiveRestarts++;
        instance.RestartPending = false;
        return Transition(instance, InstanceStatus.Creating, $"restart {instance.RestartCount.ToString(CultureInfo.InvariantCulture)}") &&
               await StartAgainAsync(instance, ct).ConfigureAwait(false);
    }

    /// <summary>The instance is CREATING again after an exit; start its workload (RUNNING or FAILED). Called under the gate.</summary>
    protected abstract Task<bool> StartAgainAsync(TInstance instance, CancellationToken ct);

    /// <summary>
    /// Starts an instance afresh whatever its policy says: it was stopped with the node engine, or never got as far as
    /// running. Called under the gate.
    /// </summary>
    protected async Task StartAfreshAsync(TInstance instance, CancellationToken ct)
    {
        instance.SetStatus(InstanceStatus.NodeScheduled, null);
        if (Transition(instance, InstanceStatus.Creating, "started again by the node engine"))
        {
            await LaunchAsync(instance, ct).ConfigureAwait(false);
        }
    }

    /// <summary>The workload started: RUNNING, with a clean slate for the next exit.</summary>
    protected void MarkRunning(TInstance instance, string? detail)
    {
        instance.ExitCode = null;
        instance.RestartPending = false;
        instance.StoppedByNode = false;
        Transition(instance, InstanceStatus.Running, detail);
    }

    /// <summary>FAILED with the reason and nothing of the run left; final until redeployed. Returns false for the caller to pass on.</summary>
    protected bool Fail(TInstance instance, string reason)
    {
        instance.RestartPending = false;
        instance.ClearRun();
        Transition(instance, InstanceStatus.Failed, reason);
        Log.Failed(instance.Key.ToString(), reason);
        return false;
    }
}
