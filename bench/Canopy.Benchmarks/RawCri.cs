using System.Diagnostics;
using System.Globalization;
using Canopy.Contracts;
using Canopy.Cri;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Container;
using Grpc.Core;

namespace Canopy.Benchmarks;

/// <summary>
/// The floor under a container deploy: RunPodSandbox + CreateContainer + StartContainer through Canopy.Cri and nothing else, on
/// the node's own containerd (so its CNI config: the same bridge network), with the pod and container configs the node engine
/// builds for the same service (<see cref="PodSpecs"/>). Labelled with a node key of its own, so the node engine never adopts them.
/// </summary>
internal sealed class RawCri(string socket, string image, string logRoot) : IDisposable
{
    private const string NodeKey = "rawcri-bench";

    private readonly CriClient _cri = new(socket);
    private readonly string _run = DateTime.UtcNow.ToString("HHmmss", CultureInfo.InvariantCulture);

    /// <summary>One pod from nothing to its container started (image present), in ms; then removed, not timed.</summary>
    public async Task<double> DeployOnceAsync(int number, CancellationToken ct)
    {
        var spec = new ServiceSpec
        {
            ServiceId = $"rawcri{_run}x{number.ToString(CultureInfo.InvariantCulture)}",
            JobName = "rawcri.bench.web.bench",
            Virtualization = "container",
            Code = image,
            Cmd = ["httpd", "-f", "-p", "8080", "-h", "/www"],
            Memory = 16,
            Vcpus = 0.1,
        };
        var key = new InstanceKey(spec.ServiceId, 0);
        var logDirectory = Path.Combine(logRoot, key.ToString());
        Directory.CreateDirectory(logDirectory);
        var sandbox = PodSpecs.Sandbox(spec, key, NodeKey, logDirectory, [], "/canopy", attempt: 1);
        var container = PodSpecs.Container(spec, key, NodeKey, attempt: 0);

        var started = Stopwatch.GetTimestamp();
        var sandboxId = await _cri.RunPodSandboxAsync(sandbox, "", ct);
        string? containerId = null;
        try
        {
            containerId = await _cri.CreateContainerAsync(sandboxId, container, sandbox, ct);
            await _cri.StartContainerAsync(containerId, ct);
            return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        }
        finally
        {
            await RemoveAsync(sandboxId, containerId, ct);
            Directory.Delete(logDirectory, recursive: true);
        }
    }

    private async Task RemoveAsync(string sandboxId, string? containerId, CancellationToken ct)
    {
        try
        {
            if (containerId is not null)
            {
                await _cri.StopContainerAsync(containerId, 0, ct);
                await _cri.RemoveContainerAsync(containerId, ct);
            }

            await _cri.StopPodSandboxAsync(sandboxId, ct);
            await _cri.RemovePodSandboxAsync(sandboxId, ct);
        }
        catch (CriException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already gone.
        }
    }

    public void Dispose() => _cri.Dispose();
}
