using System.Diagnostics;
using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Cri;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.NetManager;
using Grpc.Core;
using PortMapping = Canopy.Core.Descriptors.PortMapping;

namespace Canopy.NodeEngine.Runtimes.Container;

internal sealed partial class ContainerRuntime
{
    private static readonly TimeSpan PullTimeout = TimeSpan.FromMinutes(10);
    private CriClient? _pullClient;

    /// <summary>
    /// CREATING → RUNNING, or FAILED with the reason and nothing left in containerd. Bad input is refused before
    /// anything is created; a pull error is final (no retry: a redeploy starts over). Called under the instance's gate;
    /// the watch loop notices the exit.
    /// </summary>
    protected override Task LaunchAsync(ContainerInstance instance, CancellationToken ct) => CreatePodAsync(instance, ct);

    private async Task<bool> CreatePodAsync(ContainerInstance instance, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var spec = instance.Spec;
        if (!ImageReference.IsValid(spec.Code, out var imageError))
        {
            return Fail(instance, imageError!);
        }

        if (!PortMappings.TryParse(spec.Port, out var ports, out var portError))
        {
            return Fail(instance, $"invalid port field: {portError}");
        }

        if (spec.Memory is > 0 and < MinimumMemoryMb)
        {
            return Fail(instance, $"memory {spec.Memory} MB is below the {MinimumMemoryMb} MB a container needs");
        }

        if (spec.Privileged && !Options.AllowPrivileged)
        {
            return Fail(instance, $"privileged containers are not allowed on node {Options.NodeName}: its operator allows them with canopy node --allow-privileged");
        }

        if (_cri is not { } cri)
        {
            return Fail(instance, $"containerd is not available on node {Options.NodeName}: {UnavailableReason}");
        }

        if (ClaimPorts(instance, ports) is { } taken)
        {
            return Fail(instance, $"port {taken.ToString(CultureInfo.InvariantCulture)} is already in use on node {Options.NodeName}");
        }

        try
        {
            await EnsureImageAsync(cri, spec, ct).ConfigureAwait(false);
            Directory.CreateDirectory(instance.Paths.Dir);
            await StartPodAsync(cri, instance, ports, ct).ConfigureAwait(false);
        }
        catch (CriException e)
        {
            await RemoveQuietlyAsync(cri, instance, ct).ConfigureAwait(false);
            return Fail(instance, Describe(e, spec));
        }

        return ReportStarted(instance, started, "");
    }

    /// <summary>A new container in the instance's sandbox (a new sandbox when that one is gone); the restart of a DEAD instance.</summary>
    protected override async Task<bool> StartAgainAsync(ContainerInstance instance, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        if (_cri is not { } cri)
        {
            return Fail(instance, $"containerd is not available on node {Options.NodeName}: {UnavailableReason}");
        }

        var ports = PortMappings.ParseOrEmpty(instance.Spec.Port);
        try
        {
            if (instance.ContainerId is { } old)
            {
                await RemoveContainerAsync(cri, old, 0, ct).ConfigureAwait(false);
                instance.SetContainer(null, null);
            }

            await EnsureImageAsync(cri, instance.Spec, ct).ConfigureAwait(false);
            if (await IsSandboxReadyAsync(cri, instance.SandboxId, ct).ConfigureAwait(false))
            {
                await StartContainerAsync(cri, instance, SandboxConfig(instance, ports, instance.SandboxAttempt), ct).ConfigureAwait(false);
            }
            else
            {
                await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
                instance.PublishedPorts = ports;
                await StartPodAsync(cri, instance, ports, ct).ConfigureAwait(false);
            }
        }
        catch (CriException e)
        {
            await RemoveQuietlyAsync(cri, instance, ct).ConfigureAwait(false);
            return Fail(instance, "restart: " + Describe(e, instance.Spec));
        }

        return ReportStarted(instance, started, ", restart");
    }

    /// <summary>
    /// Pulls the image unless containerd has it, with the service's registry login when it is for the image's registry (the root
    /// checked that; a login never goes to another host).
    /// </summary>
    private async Task EnsureImageAsync(CriClient cri, ServiceSpec spec, CancellationToken ct)
    {
        var image = spec.Code;
        if (await cri.ImageStatusAsync(image, ct).ConfigureAwait(false) is not null)
        {
            return;
        }

        // A pull is one call that may take minutes; the shared client's deadline is for quick calls.
        var pull = _pullClient ??= new CriClient(cri.SocketPath, PullTimeout);
        var started = Stopwatch.GetTimestamp();
        var host = ImageHosts.Of(image);
        if (host != ContainerdConfig.LocalRegistry && ContainerdConfig.IsLoopbackRegistry(host))
        {
            // containerd reads certs.d at each pull; the local registry's file is written at start.
            var hostsToml = new ContainerdPaths(Options.ContainerdDir).HostsToml(host);
            Directory.CreateDirectory(Path.GetDirectoryName(hostsToml)!);
            await File.WriteAllTextAsync(hostsToml, ContainerdConfig.RenderLocalRegistryHosts(host), ct).ConfigureAwait(false);
        }

        // No ServerAddress: containerd 1.6 parses it as a URL and drops the login for a bare host:port; the host was matched here.
        var auth = spec.Secrets?.Registry is { } login && login.Host == host
            ? new AuthConfig { Username = login.Username, Password = login.Password }
            : null;
        await pull.PullImageAsync(image, auth, ct).ConfigureAwait(false);
        ContainerLog.Pulled(Logger, image, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>A new sandbox (each with the next attempt number: containerd names it by that) and the container in it.</summary>
    private async Task StartPodAsync(CriClient cri, ContainerInstance instance, IReadOnlyList<PortMapping> ports, CancellationToken ct)
    {
        var attempt = ++instance.SandboxAttempt;
        var sandboxConfig = SandboxConfig(instance, ports, attempt);
        var sandboxId = await cri.RunPodSandboxAsync(sandboxConfig, "", ct).ConfigureAwait(false);
        instance.SetSandbox(sandboxId);
        instance.SetSandboxIp(await SandboxIpAsync(cri, sandboxId, ct).ConfigureAwait(false));
        SaveState(instance);
        await StartContainerAsync(cri, instance, sandboxConfig, ct).ConfigureAwait(false);
    }

    private async Task StartContainerAsync(CriClient cri, ContainerInstance instance, PodSandboxConfig sandboxConfig, CancellationToken ct)
    {
        var hosts = _hosts.Write(instance.Paths.Dir, instance.Spec, machineEntries: false);
        var config = PodSpecs.Container(instance.Spec, instance.Key, _nodeKey, (uint)instance.RestartCount, hosts);
        foreach (var (target, hostPath) in Secrets.WriteFiles(instance.Key, instance.Spec))
        {
            config.Mounts.Add(new Mount { ContainerPath = target, HostPath = hostPath, Readonly = true });
        }

        var containerId = await cri.CreateContainerAsync(instance.SandboxId!, config, sandboxConfig, ct).ConfigureAwait(false);

        // Recorded before the start: a crash in between must not leave a container nobody knows of.
        instance.SetContainer(containerId, null);
        SaveState(instance);
        await cri.StartContainerAsync(containerId, ct).ConfigureAwait(false);
        instance.SetContainer(containerId, DateTimeOffset.UtcNow);
    }

    private PodSandboxConfig SandboxConfig(ContainerInstance instance, IReadOnlyList<PortMapping> ports, uint attempt) =>
        PodSpecs.Sandbox(instance.Spec, instance.Key, _nodeKey, instance.Paths.Dir, ports, _cgroupParent, attempt);

    private bool ReportStarted(ContainerInstance instance, long started, string note)
    {
        MarkRunning(instance, null);
        ContainerLog.Started(
            Logger, instance.Key.ToString(), Short(instance.ContainerId), Short(instance.SandboxId),
            (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, note);
        return true;
    }

    /// <summary>
    /// Reserves the instance's host ports, or names the first one taken: by another container instance (a DNAT rule
    /// binds nothing) or by any socket on the node. Check and claim are one step, as deploys of different instances run in parallel.
    /// </summary>
    private int? ClaimPorts(ContainerInstance instance, IReadOnlyList<PortMapping> ports)
    {
        lock (_portsLock)
        {
            foreach (var port in ports)
            {
                var heldByOther = Instances.Values.Any(other => !ReferenceEquals(other, instance) &&
                    other.PublishedPorts.Any(p => p.HostPort == port.HostPort && p.Protocol == port.Protocol));
                if (heldByOther || !HostPorts.IsFree(port))
                {
                    return port.HostPort;
                }
            }

            instance.PublishedPorts = ports;
            instance.HostPort = ports.Count > 0 ? ports[0].HostPort.ToString(CultureInfo.InvariantCulture) : null;
            return null;
        }
    }

    /// <summary>
    /// Stops and removes every container and sandbox of the instance (those recorded and any other with its labels):
    /// the container gets its grace period, StopPodSandbox runs CNI DEL (address lease and port rules go). The log files stay.
    /// </summary>
    private async Task RemoveFromContainerdAsync(CriClient cri, ContainerInstance instance, CancellationToken ct)
    {
        await RemoveFromContainerdAsync(cri, instance.Key, instance.SandboxId, instance.ContainerId, ct).ConfigureAwait(false);
        instance.ClearRun();
    }

    private async Task RemoveFromContainerdAsync(CriClient cri, InstanceKey key, string? sandboxId, string? containerId, CancellationToken ct)
    {
        var selector = ContainerLabels.InstanceSelector(_nodeKey, key);
        var containers = (await cri.ListContainersAsync(selector, ct).ConfigureAwait(false)).Select(c => c.Id).ToHashSet();
        if (containerId is not null)
        {
            containers.Add(containerId);
        }

        var grace = (long)Math.Ceiling(Options.StopGracePeriod.TotalSeconds);
        foreach (var id in containers)
        {
            await RemoveContainerAsync(cri, id, grace, ct).ConfigureAwait(false);
        }

        var sandboxes = (await cri.ListPodSandboxAsync(selector, ct).ConfigureAwait(false)).Select(s => s.Id).ToHashSet();
        if (sandboxId is not null)
        {
            sandboxes.Add(sandboxId);
        }

        foreach (var id in sandboxes)
        {
            await RemoveSandboxAsync(cri, id, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Cleanup after a failure: its own errors are logged, the failure being reported is the first one.</summary>
    private async Task RemoveQuietlyAsync(CriClient cri, ContainerInstance instance, CancellationToken ct)
    {
        try
        {
            await RemoveFromContainerdAsync(cri, instance, ct).ConfigureAwait(false);
        }
        catch (CriException e)
        {
            Log.ActionFailed(e, instance.Key.ToString(), "cleaning up in containerd");
        }
    }

    private async Task RemoveQuietlyAsync(CriClient cri, InstanceKey key, CancellationToken ct)
    {
        try
        {
            await RemoveFromContainerdAsync(cri, key, null, null, ct).ConfigureAwait(false);
        }
        catch (CriException e)
        {
            Log.ActionFailed(e, key.ToString(), "cleaning up in containerd");
        }
    }

    private static async Task RemoveContainerAsync(CriClient cri, string containerId, long graceSeconds, CancellationToken ct)
    {
        try
        {
            await cri.StopContainerAsync(containerId, graceSeconds, ct).ConfigureAwait(false);
            await cri.RemoveContainerAsync(containerId, ct).ConfigureAwait(false);
        }
        catch (CriException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already gone.
        }
    }

    private static async Task RemoveSandboxAsync(CriClient cri, string sandboxId, CancellationToken ct)
    {
        try
        {
            await cri.StopPodSandboxAsync(sandboxId, ct).ConfigureAwait(false);
            await cri.RemovePodSandboxAsync(sandboxId, ct).ConfigureAwait(false);
        }
        catch (CriException e) when (e.StatusCode == StatusCode.NotFound)
        {
            // Already gone.
        }
    }

    /// <summary>The sandbox's IPv4 address as CNI gave it (CRI's network status); null when it reports none.</summary>
    private static async Task<string?> SandboxIpAsync(CriClient cri, string sandboxId, CancellationToken ct)
    {
        var status = await cri.PodSandboxStatusAsync(sandboxId, ct).ConfigureAwait(false);
        return status.Status?.Network?.Ip is { Length: > 0 } ip ? ip : null;
    }

    private static async Task<bool> IsSandboxReadyAsync(CriClient cri, string? sandboxId, CancellationToken ct)
    {
        if (sandboxId is null)
        {
            return false;
        }

        try
        {
            var status = await cri.PodSandboxStatusAsync(sandboxId, ct).ConfigureAwait(false);
            return status.Status?.State == PodSandboxState.SandboxReady;
        }
        catch (CriException e) when (e.StatusCode == StatusCode.NotFound)
        {
            return false;
        }
    }

    /// <summary>containerd's (or the registry's) message, prefixed with the step that failed; for a refused login, what to do.</summary>
    private static string Describe(CriException e, ServiceSpec spec)
    {
        var image = spec.Code;
        var method = e.Method[(e.Method.LastIndexOf('/') + 1)..];
        var step = method switch
        {
            "PullImage" => $"pulling image {image}",
            "ImageStatus" => $"looking up image {image}",
            "RunPodSandbox" => "creating the pod sandbox",
            "CreateContainer" => "creating the container",
            "StartContainer" => "starting the container",
            _ => $"containerd {method}",
        };
        var detail = e.StatusCode == StatusCode.Unavailable ? $"containerd is not answering ({e.Detail})" : e.Detail;
        return $"{step} failed: {detail}{LoginHint(method, detail, spec)}";
    }

    private static string LoginHint(string method, string detail, ServiceSpec spec)
    {
        if (method != "PullImage" || !(detail.Contains("401", StringComparison.Ordinal) || detail.Contains("unauthorized", StringComparison.OrdinalIgnoreCase)))
        {
            return "";
        }

        var host = ImageHosts.Of(spec.Code);
        return spec.Secrets?.Registry is null
            ? $". The registry {host} requires a login: create one with `canopy secret create NAME --registry {host} --username USER --password-stdin` " +
              "and name it in the service's \"registry_secret\""
            : $". The registry {host} refused the login of the service's registry_secret: check its user name and password " +
              "(canopy secret delete NAME, then create it again)";
    }

    private static string Short(string? id) => id is { Length: > 12 } ? id[..12] : id ?? "";
}
