using Canopy.Core.Descriptors;
using Canopy.Core.States;
using Canopy.Cri;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes.Container;

internal sealed partial class ContainerRuntime
{
    /// <summary>How long the node engine's start waits for containerd before it registers without the container instances.</summary>
    private static readonly TimeSpan RecoveryWait = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Adoption runs in the engine loop at every connection to containerd; this waits for the first attempt, so that
    /// the node's first inventory already holds the instances a previous node engine left.
    /// </summary>
    public override async Task RecoverAsync(CancellationToken ct)
    {
        try
        {
            await _firstConnection.Task.WaitAsync(RecoveryWait, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // Still starting: the instances are adopted (and reported) as soon as it answers.
        }
    }

    /// <summary>
    /// Takes over every instance directory not yet in memory, matched with containerd's sandboxes and containers by
    /// their labels: a running container is adopted as it is (no restart), one that ended meanwhile has its exit
    /// handled (restart policy), one the node engine stopped on shutdown starts afresh. Whatever carries this node's
    /// label but belongs to no instance directory is an orphan and is removed. Returns the number adopted running.
    /// </summary>
    private async Task<int> AdoptAsync(CriClient cri, CancellationToken ct)
    {
        await _adoption.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var sandboxes = await cri.ListPodSandboxAsync(_nodeSelector, ct).ConfigureAwait(false);
            var containers = await cri.ListContainersAsync(_nodeSelector, ct).ConfigureAwait(false);
            var adopted = await TakeOverDirectoriesAsync(
                (instance, token) => AdoptAsync(cri, instance, OfInstance(sandboxes, instance.Key), OfInstance(containers, instance.Key), token),
                e => e is CriException, "adoption", ct).ConfigureAwait(false);
            await RemoveOrphansAsync(cri, sandboxes, containers, ct).ConfigureAwait(false);
            return adopted;
        }
        finally
        {
            _adoption.Release();
        }
    }

    private async Task<bool> AdoptAsync(
        CriClient cri, ContainerInstance instance, List<PodSandbox> sandboxes, List<Cri.V1.Container> containers, CancellationToken ct)
    {
        var status = instance.Status;
        if (status == InstanceStatus.Undeployed)
        {
            // A removal that could not reach containerd: finish it.
            await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
            DeleteDirectory(instance);
            Forget(instance);
            return false;
        }

        if (instance.HasEnded && !instance.StoppedByNode)
        {
            // An ended instance holds nothing in containerd (its exit handling released it); leftovers of a crash go.
            if (sandboxes.Count + containers.Count > 0)
            {
                await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
                SaveState(instance);
            }

            Report(instance);
            return false;
        }

        // The recorded container, else the newest; every other one of the instance (a crash mid-restart) goes.
        var container = containers.FirstOrDefault(c => c.Id == instance.ContainerId) ?? containers.MaxBy(c => c.CreatedAt);
        var sandbox = sandboxes.FirstOrDefault(s => s.Id == (container?.PodSandboxId ?? instance.SandboxId));
        foreach (var extra in containers.Where(c => c != container))
        {
            await RemoveContainerAsync(cri, extra.Id, 0, ct).ConfigureAwait(false);
        }

        foreach (var extra in sandboxes.Where(s => s != sandbox))
        {
            await RemoveSandboxAsync(cri, extra.Id, ct).ConfigureAwait(false);
        }

        if (!instance.StoppedByNode && container is { State: ContainerState.ContainerRunning } && sandbox is not null)
        {
            instance.SetSandbox(sandbox.Id);
            if (instance.SandboxIp is null)
            {
                // Recorded by a build that did not keep the address.
                instance.SetSandboxIp(await SandboxIpAsync(cri, sandbox.Id, ct).ConfigureAwait(false));
            }

            AdoptRunning(instance, sandbox.Id, container);
            return true;
        }

        if (!instance.StoppedByNode && status == InstanceStatus.Running && sandbox is not null && instance.ContainerId is not null)
        {
            // It ended while no node engine watched (or its container vanished): the watch loop's first tick handles
            // the exit like any other, restart policy included.
            instance.SetSandbox(sandbox.Id);
            instance.SetContainer(container?.Id ?? instance.ContainerId, instance.StartedAt);
            instance.PublishedPorts = PortMappings.ParseOrEmpty(instance.Spec.Port);
            return false;
        }

        if (!instance.StoppedByNode && instance.RestartPending)
        {
            // Its back-off was running when the node engine went: restart now.
            instance.SetSandbox(sandbox?.Id);
            instance.SetContainer(container?.Id, instance.StartedAt);
            instance.PublishedPorts = PortMappings.ParseOrEmpty(instance.Spec.Port);
            await RestartAsync(instance, ct).ConfigureAwait(false);
            return false;
        }

        // Stopped with the node engine, or it never got as far as a running container: start it afresh.
        await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
        instance.StoppedByNode = false;
        await StartAfreshAsync(instance, ct).ConfigureAwait(false);
        return false;
    }

    private void AdoptRunning(ContainerInstance instance, string sandboxId, Cri.V1.Container container)
    {
        instance.SetSandbox(sandboxId);
        instance.SetContainer(container.Id, instance.StartedAt ?? DateTimeOffset.FromUnixTimeMilliseconds(container.CreatedAt / 1_000_000));
        instance.PublishedPorts = PortMappings.ParseOrEmpty(instance.Spec.Port);
        instance.RestartPending = false;
        if (!Transition(instance, InstanceStatus.Running, instance.Detail))
        {
            Report(instance);
        }

        ContainerLog.Adopted(Logger, instance.Key.ToString(), container.Id);
    }

    /// <summary>This node's sandboxes and containers whose instance has neither a directory nor a place in memory.</summary>
    private async Task RemoveOrphansAsync(CriClient cri, IReadOnlyList<PodSandbox> sandboxes, IReadOnlyList<Cri.V1.Container> containers, CancellationToken ct)
    {
        foreach (var container in containers)
        {
            if (IsOrphan(container.Labels, out var name))
            {
                await RemoveContainerAsync(cri, container.Id, 0, ct).ConfigureAwait(false);
                ContainerLog.Orphan(Logger, "container", container.Id, name);
            }
        }

        foreach (var sandbox in sandboxes)
        {
            if (IsOrphan(sandbox.Labels, out var name))
            {
                await RemoveSandboxAsync(cri, sandbox.Id, ct).ConfigureAwait(false);
                ContainerLog.Orphan(Logger, "sandbox", sandbox.Id, name);
            }
        }
    }

    private bool IsOrphan(IReadOnlyDictionary<string, string> labels, out string name)
    {
        if (!ContainerLabels.TryGetInstance(labels, out var key))
        {
            name = labels.TryGetValue(ContainerLabels.Instance, out var raw) ? raw : "(none)";
            return true;
        }

        name = key.ToString();
        return !Instances.ContainsKey(key) && !Directory.Exists(Path.Combine(Options.ContainersDir, name));
    }

    private static List<PodSandbox> OfInstance(IReadOnlyList<PodSandbox> sandboxes, InstanceKey key) =>
        sandboxes.Where(s => ContainerLabels.TryGetInstance(s.Labels, out var k) && k == key).ToList();

    private static List<Cri.V1.Container> OfInstance(IReadOnlyList<Cri.V1.Container> containers, InstanceKey key) =>
        containers.Where(c => ContainerLabels.TryGetInstance(c.Labels, out var k) && k == key).ToList();
}
