using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes.Exec;

public sealed partial class ExecRuntime
{
    /// <summary>
    /// Takes over the instance directories a previous node engine left: an instance whose wrapper still runs is
    /// adopted as it is (no restart, same pid); one that ended meanwhile has its exit handled now (restart policy);
    /// one the node engine stopped on shutdown starts again. An instance is never started twice.
    /// </summary>
    public async Task RecoverAsync(CancellationToken ct)
    {
        foreach (var dir in Directory.EnumerateDirectories(_options.InstancesDir))
        {
            ct.ThrowIfCancellationRequested();
            var name = Path.GetFileName(dir);
            if (!InstanceKey.TryParse(name, out var key))
            {
                ExecLog.SkippedDirectory(_log, dir, "not an instance name");
                continue;
            }

            if (_instances.ContainsKey(key))
            {
                continue;
            }

            var spec = ReadJson<ServiceSpec>(Path.Combine(dir, "spec.json"));
            if (spec is null)
            {
                ExecLog.SkippedDirectory(_log, dir, "no readable spec.json");
                continue;
            }

            var instance = NewInstance(key, spec);
            if (ReadJson<ExecState>(instance.Paths.State) is { } state)
            {
                instance.Load(state);
            }

            if (!_instances.TryAdd(key, instance))
            {
                continue;
            }

            await instance.Gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                await RecoverAsync(instance, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                ExecLog.ActionFailed(_log, e, key.ToString(), "recovery");
            }
            finally
            {
                instance.Gate.Release();
            }
        }
    }

    private async Task RecoverAsync(ExecInstance instance, CancellationToken ct)
    {
        var life = instance.Life.Token;
        var status = instance.Status;
        if (status == InstanceStatus.Undeployed)
        {
            // A removal was interrupted: finish it.
            await instance.Cgroup.RemoveAsync(ct).ConfigureAwait(false);
            DeleteDirectory(instance);
            _instances.TryRemove(instance.Key, out _);
            return;
        }

        var ended = status is InstanceStatus.Completed or InstanceStatus.Failed ||
                    (status == InstanceStatus.Dead && !instance.RestartPending);
        if (ended && !instance.StoppedByNode)
        {
            Report(instance);
            return;
        }

        if (instance.IsProcessAlive)
        {
            // Not our child: the watcher polls /proc for it.
            ExecLog.Adopted(_log, instance.Key.ToString(), instance.Pid!.Value);
            if (!Transition(instance, InstanceStatus.Running, instance.Detail))
            {
                Report(instance);
            }

            instance.Supervisor = Task.Run(() => SuperviseAsync(instance, alreadyExited: false, life), CancellationToken.None);
            return;
        }

        if (instance.StoppedByNode || instance.Pid is null && !instance.RestartPending)
        {
            // Stopped with the node engine, or never got as far as a process: start it, whatever the policy says.
            await instance.Cgroup.KillAllAsync(ct).ConfigureAwait(false);
            instance.SetStatus(InstanceStatus.NodeScheduled, null);
            if (Transition(instance, InstanceStatus.Creating, "started again by the node engine") &&
                await StartProcessAsync(instance, ct).ConfigureAwait(false))
            {
                instance.Supervisor = Task.Run(() => SuperviseAsync(instance, alreadyExited: false, life), CancellationToken.None);
            }

            return;
        }

        // It ended while no node engine watched: handle the exit as if we had seen it.
        instance.Supervisor = Task.Run(() => SuperviseAsync(instance, alreadyExited: true, life), CancellationToken.None);
    }

    /// <summary>Rotates the logs every few seconds: instances write them directly, the node engine only trims.</summary>
    private async Task HousekeepAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(HousekeepingInterval);
        while (await timer.WaitForNextTickAsync(ct).ConfigureAwait(false))
        {
            foreach (var (key, instance) in _instances)
            {
                try
                {
                    if (LogFiles.RotateIfLarger(instance.Paths.Log, instance.Paths.RotatedLog, _options.LogMaxBytes))
                    {
                        ExecLog.Rotated(_log, key.ToString());
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // Removed meanwhile, or a transient error: the next tick tries again.
                }
            }
        }
    }

    private static T? ReadJson<T>(string path)
        where T : class
    {
        try
        {
            return File.Exists(path) ? CanopyJson.Deserialize<T>(File.ReadAllText(path)) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
