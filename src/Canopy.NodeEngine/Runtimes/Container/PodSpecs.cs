using System.Globalization;
using System.Text;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Instances;
using CriPortMapping = Canopy.Cri.V1.PortMapping;
using PortMapping = Canopy.Core.Descriptors.PortMapping;

namespace Canopy.NodeEngine.Runtimes.Container;

/// <summary>
/// What an instance becomes in CRI terms: one pod sandbox (network, ports, cgroup parent, log directory) and one
/// container in it. Pure: the same spec always gives the same configs, so a restart or a recovered instance can
/// build them again instead of storing them.
/// </summary>
internal static class PodSpecs
{
    /// <summary>The CRI namespace of every Canopy pod (part of the sandbox name containerd derives).</summary>
    public const string Namespace = "canopy";

    /// <summary>The container's log, relative to the sandbox's log directory (the instance directory).</summary>
    public const string LogFile = "container.log";

    public const long CpuPeriod = 100_000;

    public static PodSandboxConfig Sandbox(
        ServiceSpec spec, InstanceKey key, string nodeKey, string logDirectory, IReadOnlyList<PortMapping> ports,
        string cgroupParent, uint attempt)
    {
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata
            {
                Name = Sanitize($"{spec.JobName}-{key.InstanceNumber.ToString(CultureInfo.InvariantCulture)}", 63),
                Uid = key.ToString(),
                Namespace = Namespace,
                Attempt = attempt,
            },
            Hostname = $"instance-{key.InstanceNumber.ToString(CultureInfo.InvariantCulture)}",
            LogDirectory = logDirectory,
            Linux = new LinuxPodSandboxConfig
            {
                CgroupParent = cgroupParent,
                SecurityContext = new LinuxSandboxSecurityContext { Privileged = spec.Privileged, NamespaceOptions = OwnNamespaces() },
            },
        };

        foreach (var port in ports)
        {
            // No host_ip: published on every address of the node, as docker -p does.
            config.PortMappings.Add(new CriPortMapping
            {
                Protocol = port.Protocol == PortMappings.Udp ? Protocol.Udp : Protocol.Tcp,
                ContainerPort = port.ContainerPort,
                HostPort = port.HostPort,
            });
        }

        config.Labels.Add(ContainerLabels.Of(nodeKey, key));
        return config;
    }

    /// <summary>
    /// Docker's semantics: the image's entrypoint is kept (no <c>command</c>), the SLA's cmd (then its args) replace
    /// the image's Cmd (<c>args</c>); neither given = the image's default. <paramref name="hostsFile"/> (the names of the
    /// application's services) is mounted read-only at /etc/hosts: containerd then leaves its own out.
    /// </summary>
    public static ContainerConfig Container(ServiceSpec spec, InstanceKey key, string nodeKey, uint attempt, string? hostsFile = null)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = Sanitize(ServiceName(spec), 63), Attempt = attempt },
            Image = new ImageSpec { Image = spec.Code },
            LogPath = LogFile,
            Linux = new LinuxContainerConfig
            {
                Resources = Resources(spec.Memory, spec.Vcpus),
                SecurityContext = new LinuxContainerSecurityContext { Privileged = spec.Privileged, NamespaceOptions = OwnNamespaces() },
            },
        };
        config.Args.AddRange(spec.Cmd.Concat(spec.Args));
        if (hostsFile is not null)
        {
            config.Mounts.Add(new Mount { ContainerPath = "/etc/hosts", HostPath = hostsFile, Readonly = true });
        }
        foreach (var (name, value) in Environment(spec, key))
        {
            config.Envs.Add(new KeyValue { Key = name, Value = value });
        }

        config.Labels.Add(ContainerLabels.Of(nodeKey, key));
        return config;
    }

    /// <summary>
    /// Network, pid and ipc of the pod's own, never the node's (CRI's NODE mode), written out rather than left to the
    /// protobuf defaults: a privileged spec (<see cref="ServiceSpec.Privileged"/>, let through only where the node's
    /// operator allows it) changes the privileged flag, not the namespaces.
    /// </summary>
    public static NamespaceOption OwnNamespaces() =>
        new() { Network = NamespaceMode.Pod, Pid = NamespaceMode.Pod, Ipc = NamespaceMode.Pod };

    /// <summary>Memory in MB as the memory limit; vcpus as a CFS quota over a 100 ms period, and as the share weight.</summary>
    public static LinuxContainerResources Resources(int memoryMb, double vcpus)
    {
        var resources = new LinuxContainerResources();
        if (memoryMb > 0)
        {
            resources.MemoryLimitInBytes = memoryMb * 1024L * 1024L;
        }

        if (vcpus > 0)
        {
            resources.CpuPeriod = CpuPeriod;
            resources.CpuQuota = Math.Max(1000, (long)Math.Round(vcpus * CpuPeriod));
            resources.CpuShares = Math.Max(2, (long)Math.Round(vcpus * 1024));
        }

        return resources;
    }

    /// <summary>The SLA's <c>environment</c> (<c>KEY=value</c>), then Canopy's own variables, which win.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Environment(ServiceSpec spec, InstanceKey key)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal);
        InstanceVariables.AddTo(env, spec, key);
        return env.ToList();
    }

    /// <summary>
    /// A DNS-label-like name (lowercase letters, digits, '-'), which containerd turns into its own sandbox and
    /// container names; never empty.
    /// </summary>
    public static string Sanitize(string name, int maxLength)
    {
        var text = new StringBuilder(name.Length);
        foreach (var c in name.ToLowerInvariant())
        {
            var keep = char.IsAsciiLetterOrDigit(c) ? c : '-';
            if (keep != '-' || (text.Length > 0 && text[^1] != '-'))
            {
                text.Append(keep);
            }
        }

        var result = text.ToString().Trim('-');
        if (result.Length > maxLength)
        {
            result = result[..maxLength].TrimEnd('-');
        }

        return result.Length == 0 ? "instance" : result;
    }

    private static string ServiceName(ServiceSpec spec)
    {
        if (spec.ServiceName.Length > 0)
        {
            return spec.ServiceName;
        }

        // app.appns.service.servicens
        var parts = spec.JobName.Split('.');
        return parts.Length >= 3 ? parts[2] : spec.JobName;
    }
}
