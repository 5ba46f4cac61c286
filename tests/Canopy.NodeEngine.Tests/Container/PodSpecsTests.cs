using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.Cri.V1;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Container;

namespace Canopy.NodeEngine.Tests.Container;

public sealed class PodSpecsTests
{
    private static readonly InstanceKey Key = new("6b0233b0bf384034298bf5a8", 3);

    private static readonly ServiceSpec Spec = new()
    {
        ServiceId = Key.ServiceId,
        JobName = "shop.demo.Front_End.demo",
        ServiceName = "Front_End",
        Virtualization = "container",
        Code = "127.0.0.1:5000/canopy/busybox:1",
        Cmd = ["httpd", "-f"],
        Args = ["-p", "8080"],
        Environment = ["GREETING=hi", "EMPTY", "CANOPY_INSTANCE=overridden"],
        Memory = 64,
        Vcpus = 1.5,
        Port = "18081:8080;53:53/udp",
    };

    [Fact]
    public void The_sandbox_names_the_instance_publishes_its_ports_and_logs_into_the_instance_directory()
    {
        var sandbox = PodSpecs.Sandbox(Spec, Key, "node-key", "/data/containers/x.3", PortMappings.ParseOrEmpty(Spec.Port), "/canopy", 2);

        sandbox.Metadata.Name.ShouldBe("shop-demo-front-end-demo-3");
        sandbox.Metadata.Uid.ShouldBe("6b0233b0bf384034298bf5a8.3");
        sandbox.Metadata.Namespace.ShouldBe("canopy");
        sandbox.Metadata.Attempt.ShouldBe(2u);
        sandbox.Hostname.ShouldBe("instance-3");
        sandbox.LogDirectory.ShouldBe("/data/containers/x.3");
        sandbox.Linux.CgroupParent.ShouldBe("/canopy");
        sandbox.PortMappings.Select(p => (p.Protocol, p.HostPort, p.ContainerPort, p.HostIp))
            .ShouldBe([(Protocol.Tcp, 18081, 8080, ""), (Protocol.Udp, 53, 53, "")]);
        sandbox.Labels.ShouldBe(new Dictionary<string, string>
        {
            ["io.canopy.node"] = "node-key",
            ["io.canopy.service-id"] = Key.ServiceId,
            ["io.canopy.instance"] = "6b0233b0bf384034298bf5a8.3",
        });
    }

    [Fact]
    public void The_container_keeps_the_image_entrypoint_and_takes_the_sla_cmd_as_its_args()
    {
        var container = PodSpecs.Container(Spec, Key, "node-key", 4);

        container.Command.ShouldBeEmpty();
        container.Args.ShouldBe(["httpd", "-f", "-p", "8080"]);
        container.Image.Image.ShouldBe("127.0.0.1:5000/canopy/busybox:1");
        container.Metadata.Name.ShouldBe("front-end");
        container.Metadata.Attempt.ShouldBe(4u);
        container.LogPath.ShouldBe("container.log");
        container.Envs.Select(e => $"{e.Key}={e.Value}").ShouldBe(
        [
            "GREETING=hi", "EMPTY=", "CANOPY_INSTANCE=3", $"CANOPY_SERVICE={Spec.JobName}", $"CANOPY_SERVICE_ID={Key.ServiceId}",
        ], ignoreOrder: true);
        container.Labels["io.canopy.instance"].ShouldBe(Key.ToString());
    }

    [Fact]
    public void Sandbox_and_container_are_unprivileged_in_namespaces_of_their_own_unless_the_spec_is_privileged()
    {
        var sandbox = PodSpecs.Sandbox(Spec, Key, "n", "/d", [], "/canopy", 0).Linux.SecurityContext;
        var container = PodSpecs.Container(Spec, Key, "n", 0).Linux.SecurityContext;

        sandbox.Privileged.ShouldBeFalse();
        container.Privileged.ShouldBeFalse();
        foreach (var namespaces in new[] { sandbox.NamespaceOptions, container.NamespaceOptions })
        {
            (namespaces.Network, namespaces.Pid, namespaces.Ipc).ShouldBe((NamespaceMode.Pod, NamespaceMode.Pod, NamespaceMode.Pod));
        }

        // Let through by the runtime only on a node with AllowPrivileged: privileged, still not in the node's namespaces.
        var privileged = PodSpecs.Container(Spec with { Privileged = true }, Key, "n", 0).Linux.SecurityContext;
        privileged.Privileged.ShouldBeTrue();
        privileged.NamespaceOptions.Network.ShouldBe(NamespaceMode.Pod);
        PodSpecs.Sandbox(Spec with { Privileged = true }, Key, "n", "/d", [], "/canopy", 0).Linux.SecurityContext.Privileged.ShouldBeTrue();
    }

    [Fact]
    public void Without_an_sla_cmd_the_image_default_runs()
    {
        PodSpecs.Container(Spec with { Cmd = [], Args = [] }, Key, "n", 0).Args.ShouldBeEmpty();
    }

    [Theory]
    [InlineData(64, 1.5, 64L * 1024 * 1024, 100_000L, 150_000L, 1536L)]
    [InlineData(0, 0.0, 0L, 0L, 0L, 0L)]
    [InlineData(16, 0.001, 16L * 1024 * 1024, 100_000L, 1000L, 2L)]
    public void Memory_and_vcpus_become_limit_quota_and_shares(int memory, double vcpus, long limit, long period, long quota, long shares)
    {
        var resources = PodSpecs.Resources(memory, vcpus);

        resources.MemoryLimitInBytes.ShouldBe(limit);
        resources.CpuPeriod.ShouldBe(period);
        resources.CpuQuota.ShouldBe(quota);
        resources.CpuShares.ShouldBe(shares);
    }

    [Theory]
    [InlineData("Shop.Demo.Front_End", "shop-demo-front-end")]
    [InlineData("--x--", "x")]
    [InlineData("___", "instance")]
    public void Names_are_sanitized_for_containerd(string name, string expected) => PodSpecs.Sanitize(name, 63).ShouldBe(expected);
}
