using System.Diagnostics;
using System.Text;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Container;
using Canopy.NodeEngine.Tests.Support;
using Xunit.Abstractions;

namespace Canopy.NodeEngine.Tests.Container;

[Collection(ContainerdCollection.Name)]
public sealed class ContainerServingTests(ContainerdFixture node, ITestOutputHelper output) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => node.RemoveDeployedAsync();

    [Fact]
    public async Task An_image_from_the_registry_runs_with_its_own_cmd_and_serves_on_the_mapped_host_port()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var port = Ports.Free();

        var watch = Stopwatch.StartNew();
        var report = await node.DeployAsync(ContainerdFixture.Spec(id, $"{port}:8080"));
        output.WriteLine($"deploy -> {report.Status} in {watch.ElapsedMilliseconds} ms (runtime startup was {node.StartupTime.TotalMilliseconds:0} ms)");

        report.Status.ShouldBe(InstanceStatus.Running, report.StatusDetail);
        report.HostPort.ShouldBe(port.ToString());
        var page = await Http.GetEventuallyAsync(port, "/");
        output.WriteLine($"first page after {watch.ElapsedMilliseconds} ms");
        page.ShouldContain(ContainerdFixture.Page);

        var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        container.Labels[ContainerLabels.ServiceId].ShouldBe(id);
        container.Labels[ContainerLabels.Instance].ShouldBe(key.ToString());
        (await node.SandboxesOf(key)).ShouldHaveSingleItem().Id.ShouldBe(container.PodSandboxId);

        // Its own address, from the node's subnet, and its names: the instance's hosts file at /etc/hosts.
        Ipv4Network.TryParse(node.Subnet.Current, out var subnet).ShouldBeTrue();
        Ipv4Network.TryParse(report.InstanceIp + "/32", out var address).ShouldBeTrue(report.InstanceIp);
        subnet.Overlaps(address).ShouldBeTrue($"{report.InstanceIp} in {node.Subnet.Current}");
        var hosts = await node.Cri.ExecSyncAsync(container.Id, ["cat", "/etc/hosts"], 10, CancellationToken.None);
        Encoding.UTF8.GetString(hosts.Stdout.ToByteArray())
            .ShouldBe(await File.ReadAllTextAsync(Path.Combine(node.InstanceDir(key), "hosts")));
    }

    [Fact]
    public async Task A_new_net_table_renames_in_the_running_container_and_busybox_resolves_the_names()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var spec = ContainerdFixture.Spec(id, null) with { AppName = "shop", AppNs = "test", ServiceName = "web", ServiceNs = "test" };
        (await node.DeployAsync(spec)).Status.ShouldBe(InstanceStatus.Running);
        var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();

        // The service IP is the container's own loopback here: what matters is that the name resolves through the mounted file.
        node.Hosts.Update(new NodeNetTable
        {
            Version = 1,
            Services = [new NetService { ServiceId = id, AppName = "shop", AppNs = "test", ServiceName = "web", ServiceNs = "test", JobName = "shop.test.web.test", RrIp = "127.0.0.1" }],
        });

        var page = await node.Cri.ExecSyncAsync(container.Id, ["wget", "-qO-", "http://web.shop:8080/"], 10, CancellationToken.None);
        Encoding.UTF8.GetString(page.Stdout.ToByteArray()).ShouldContain(ContainerdFixture.Page, Case.Sensitive, Encoding.UTF8.GetString(page.Stderr.ToByteArray()));
    }

    [Fact]
    public async Task The_sla_cmd_replaces_the_image_cmd_and_sees_the_environment()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 2);
        var port = Ports.Free();
        var spec = ContainerdFixture.Spec(
            id, $"{port}:9090", "sh", "-c",
            "echo \"$GREETING from $CANOPY_SERVICE instance $CANOPY_INSTANCE\" >/www/env.html; exec httpd -f -p 9090 -h /www") with
        {
            Environment = ["GREETING=hi there"],
        };

        (await node.DeployAsync(spec, 2)).Status.ShouldBe(InstanceStatus.Running);

        var page = await Http.GetEventuallyAsync(port, "/env.html");
        page.Trim().ShouldBe($"hi there from {spec.JobName} instance 2");
        var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        var env = await node.Cri.ExecSyncAsync(container.Id, ["env"], 10, CancellationToken.None);
        var text = Encoding.UTF8.GetString(env.Stdout.ToByteArray());
        text.ShouldContain($"CANOPY_SERVICE_ID={id}");
        text.ShouldContain("GREETING=hi there");
    }

    [Fact]
    public async Task Memory_and_vcpus_become_the_containers_cgroup_limits()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        (await node.DeployAsync(ContainerdFixture.Spec(id, null, "sleep", "300") with { Memory = 48, Vcpus = 0.25 })).Status.ShouldBe(InstanceStatus.Running);

        var container = (await node.ContainersOf(key)).ShouldHaveSingleItem();
        var memory = $"/sys/fs/cgroup/memory/canopy/{container.Id}";
        (await File.ReadAllTextAsync(Path.Combine(memory, "memory.limit_in_bytes"))).Trim().ShouldBe((48L * 1024 * 1024).ToString());
        var cpu = $"/sys/fs/cgroup/cpu/canopy/{container.Id}";
        (await File.ReadAllTextAsync(Path.Combine(cpu, "cpu.cfs_quota_us"))).Trim().ShouldBe("25000");
        (await File.ReadAllTextAsync(Path.Combine(cpu, "cpu.cfs_period_us"))).Trim().ShouldBe("100000");
        (await File.ReadAllTextAsync(Path.Combine(cpu, "cpu.shares"))).Trim().ShouldBe("256");
    }

    [Fact]
    public async Task Deploy_to_RUNNING_takes_a_pull_once_then_only_sandbox_and_container()
    {
        const string image = ContainerdFixture.Registry + "/canopy/busybox:2";
        await node.Cri.RemoveImageAsync(image, CancellationToken.None);
        var first = ContainerdFixture.NewServiceId();
        var second = ContainerdFixture.NewServiceId();

        var pulled = Stopwatch.StartNew();
        (await node.DeployAsync(ContainerdFixture.Spec(first, $"{Ports.Free()}:8080") with { Code = image })).Status.ShouldBe(InstanceStatus.Running);
        pulled.Stop();
        await node.Runtime.RemoveAsync(new InstanceKey(first, 0), CancellationToken.None);
        var present = Stopwatch.StartNew();
        (await node.DeployAsync(ContainerdFixture.Spec(second, $"{Ports.Free()}:8080") with { Code = image })).Status.ShouldBe(InstanceStatus.Running);
        present.Stop();

        output.WriteLine($"deploy -> RUNNING: {pulled.ElapsedMilliseconds} ms with a pull, {present.ElapsedMilliseconds} ms with the image present");
        (await node.Cri.ImageStatusAsync(image, CancellationToken.None)).ShouldNotBeNull();
        present.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
    }
}
