using Canopy.Cri.V1;

namespace Canopy.Cri;

// RuntimeService: pod sandboxes.
public sealed partial class CriClient
{
    /// <param name="runtimeHandler">Empty for the runtime's default (runc).</param>
    /// <returns>The sandbox id.</returns>
    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config, string runtimeHandler, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(config);
        var request = new RunPodSandboxRequest { Config = config, RuntimeHandler = runtimeHandler ?? string.Empty };
        var response = await RuntimeAsync("RunPodSandbox", _runtime.RunPodSandboxAsync, request, ct).ConfigureAwait(false);
        return response.PodSandboxId;
    }

    public Task<PodSandboxStatusResponse> PodSandboxStatusAsync(string sandboxId, CancellationToken ct) =>
        RuntimeAsync("PodSandboxStatus", _runtime.PodSandboxStatusAsync, new PodSandboxStatusRequest { PodSandboxId = sandboxId }, ct);

    /// <param name="labelSelector">Every pair must match (AND); null lists all sandboxes.</param>
    public async Task<IReadOnlyList<PodSandbox>> ListPodSandboxAsync(IReadOnlyDictionary<string, string>? labelSelector, CancellationToken ct)
    {
        var request = new ListPodSandboxRequest();
        if (labelSelector is { Count: > 0 })
        {
            request.Filter = new PodSandboxFilter();
            AddLabels(request.Filter.LabelSelector, labelSelector);
        }

        var response = await RuntimeAsync("ListPodSandbox", _runtime.ListPodSandboxAsync, request, ct).ConfigureAwait(false);
        return response.Items;
    }

    /// <summary>Kills the sandbox's containers and releases its network (CNI DEL). Idempotent.</summary>
    public Task StopPodSandboxAsync(string sandboxId, CancellationToken ct) =>
        RuntimeAsync("StopPodSandbox", _runtime.StopPodSandboxAsync, new StopPodSandboxRequest { PodSandboxId = sandboxId }, ct);

    /// <summary>Removes the sandbox and its containers. Idempotent.</summary>
    public Task RemovePodSandboxAsync(string sandboxId, CancellationToken ct) =>
        RuntimeAsync("RemovePodSandbox", _runtime.RemovePodSandboxAsync, new RemovePodSandboxRequest { PodSandboxId = sandboxId }, ct);
}
