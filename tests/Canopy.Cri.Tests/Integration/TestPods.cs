using System.Net;
using System.Net.Sockets;
using Canopy.Cri.V1;

namespace Canopy.Cri.Tests.Integration;

/// <summary>Configs the way a node engine would build them: one pod sandbox per instance, one container in it.</summary>
internal static class TestPods
{
    private const long MiB = 1024 * 1024;

    public static PodSandboxConfig Sandbox(ContainerdFixture fixture, string name, int? hostPort = null)
    {
        var uid = Guid.NewGuid().ToString("N");
        var config = new PodSandboxConfig
        {
            Metadata = new PodSandboxMetadata { Name = name, Uid = uid, Namespace = "canopy-cri-test", Attempt = 0 },
            Hostname = name,
            LogDirectory = Path.Combine(fixture.LogRoot, uid),
            Labels = { ["canopy.test/run"] = fixture.RunId, ["canopy.test/pod"] = name },
            Annotations = { ["canopy.test/purpose"] = "integration test" },
            Linux = new LinuxPodSandboxConfig
            {
                SecurityContext = new LinuxSandboxSecurityContext
                {
                    NamespaceOptions = new NamespaceOption { Network = NamespaceMode.Pod, Pid = NamespaceMode.Container, Ipc = NamespaceMode.Pod },
                },
            },
        };
        if (hostPort is { } port)
        {
            config.PortMappings.Add(new PortMapping { Protocol = Protocol.Tcp, ContainerPort = 8080, HostPort = port, HostIp = "127.0.0.1" });
        }

        return config;
    }

    public static ContainerConfig Container(ContainerdFixture fixture, string name, string image, long memoryMiB, IEnumerable<string> command)
    {
        var config = new ContainerConfig
        {
            Metadata = new ContainerMetadata { Name = name, Attempt = 0 },
            Image = new ImageSpec { Image = image },
            Envs = { new KeyValue { Key = "GREETING", Value = "hello from env" } },
            Labels = { ["canopy.test/run"] = fixture.RunId, ["canopy.test/container"] = name },
            LogPath = $"{name}_0.log",
            Linux = new LinuxContainerConfig
            {
                Resources = new LinuxContainerResources
                {
                    CpuPeriod = 100_000,
                    CpuQuota = 50_000,
                    CpuShares = 512,
                    MemoryLimitInBytes = memoryMiB * MiB,
                },
            },
        };
        config.Command.AddRange(command);
        return config;
    }

    /// <summary>A free TCP port below the ephemeral range, so no outgoing connection takes it meanwhile.</summary>
    public static int FreePort()
    {
        var random = new Random();
        while (true)
        {
            var port = random.Next(20_000, 32_000);
            try
            {
                using var probe = new TcpListener(IPAddress.Loopback, port);
                probe.Start();
                return port;
            }
            catch (SocketException)
            {
            }
        }
    }
}
