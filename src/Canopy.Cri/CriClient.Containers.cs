using Canopy.Cri.V1;
using Grpc.Core;

namespace Canopy.Cri;

// RuntimeService: containers, exec and stats.
public sealed partial class CriClient
{
    /// <param name="sandboxConfig">The same config the sandbox was run with: containerd takes the log directory and more from it.</param>
    /// <returns>The container id.</returns>
    public async Task<string> CreateContainerAsync(string sandboxId, ContainerConfig config, PodSandboxConfig sandboxConfig, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(sandboxConfig);
        var request = new CreateContainerRequest { PodSandboxId = sandboxId, Config = config, SandboxConfig = sandboxConfig };
        var response = await RuntimeAsync("CreateContainer", _runtime.CreateContainerAsync, request, ct).ConfigureAwait(false);
        return response.ContainerId;
    }

    public Task StartContainerAsync(string containerId, CancellationToken ct) =>
        RuntimeAsync("StartContainer", _runtime.StartContainerAsync, new StartContainerRequest { ContainerId = containerId }, ct);

    /// <param name="timeoutSeconds">Grace period after SIGTERM before SIGKILL; 0 kills at once.</param>
    public Task StopContainerAsync(string containerId, long timeoutSeconds, CancellationToken ct) =>
        RuntimeAsync(
            "StopContainer",
            _runtime.StopContainerAsync,
            new StopContainerRequest { ContainerId = containerId, Timeout = timeoutSeconds },
            ct,
            TimeoutCovering(timeoutSeconds));

    /// <summary>Removes the container (killing it first if it runs). Idempotent.</summary>
    public Task RemoveContainerAsync(string containerId, CancellationToken ct) =>
        RuntimeAsync("RemoveContainer", _runtime.RemoveContainerAsync, new RemoveContainerRequest { ContainerId = containerId }, ct);

    /// <param name="labelSelector">Every pair must match (AND); null lists all containers.</param>
    public async Task<IReadOnlyList<Container>> ListContainersAsync(IReadOnlyDictionary<string, string>? labelSelector, CancellationToken ct)
    {
        var request = new ListContainersRequest();
        if (labelSelector is { Count: > 0 })
        {
            request.Filter = new ContainerFilter();
            AddLabels(request.Filter.LabelSelector, labelSelector);
        }

        var response = await RuntimeAsync("ListContainers", _runtime.ListContainersAsync, request, ct).ConfigureAwait(false);
        return response.Containers;
    }

    /// <exception cref="CriException">NotFound for an unknown id.</exception>
    public async Task<ContainerStatus> ContainerStatusAsync(string containerId, CancellationToken ct)
    {
        var response = await ContainerStatusAsync(containerId, verbose: false, ct).ConfigureAwait(false);
        return response.Status ?? throw new CriException("RuntimeService/ContainerStatus", StatusCode.Internal, "the answer has no status");
    }

    /// <summary>With <paramref name="verbose"/>, <c>Info["info"]</c> holds containerd's JSON (pid, sandboxID, runtime spec).</summary>
    public Task<ContainerStatusResponse> ContainerStatusAsync(string containerId, bool verbose, CancellationToken ct) =>
        RuntimeAsync("ContainerStatus", _runtime.ContainerStatusAsync, new ContainerStatusRequest { ContainerId = containerId, Verbose = verbose }, ct);

    /// <summary>Null when the runtime has no stats for it (yet). containerd 1.6 leaves cpu.usage_nano_cores empty.</summary>
    public async Task<ContainerStats?> ContainerStatsAsync(string containerId, CancellationToken ct)
    {
        var response = await RuntimeAsync("ContainerStats", _runtime.ContainerStatsAsync, new ContainerStatsRequest { ContainerId = containerId }, ct)
            .ConfigureAwait(false);
        return response.Stats;
    }

    /// <param name="labelSelector">Every pair must match (AND); null for all containers.</param>
    public async Task<IReadOnlyList<ContainerStats>> ListContainerStatsAsync(IReadOnlyDictionary<string, string>? labelSelector, CancellationToken ct)
    {
        var request = new ListContainerStatsRequest();
        if (labelSelector is { Count: > 0 })
        {
            request.Filter = new ContainerStatsFilter();
            AddLabels(request.Filter.LabelSelector, labelSelector);
        }

        var response = await RuntimeAsync("ListContainerStats", _runtime.ListContainerStatsAsync, request, ct).ConfigureAwait(false);
        return response.Stats;
    }

    /// <summary>Runs <paramref name="cmd"/> in the container and waits for it; a non-zero exit is a result, not an error.</summary>
    /// <param name="timeoutSeconds">The runtime kills the command after this; 0 = no limit (the call's deadline still applies).</param>
    public Task<ExecSyncResponse> ExecSyncAsync(string containerId, IReadOnlyList<string> cmd, long timeoutSeconds, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cmd);
        var request = new ExecSyncRequest { ContainerId = containerId, Timeout = timeoutSeconds };
        request.Cmd.AddRange(cmd);
        return RuntimeAsync("ExecSync", _runtime.ExecSyncAsync, request, ct, TimeoutCovering(timeoutSeconds));
    }
}
