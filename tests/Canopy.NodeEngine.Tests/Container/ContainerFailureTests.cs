using System.Net;
using System.Net.Sockets;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Container;

[Collection(ContainerdCollection.Name)]
public sealed class ContainerFailureTests(ContainerdFixture node) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => node.RemoveDeployedAsync();

    [Fact]
    public async Task An_image_the_registry_does_not_have_fails_with_its_message_once_and_leaves_nothing()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        var report = await node.DeployAsync(ContainerdFixture.Spec(id) with { Code = ContainerdFixture.Registry + "/canopy/missing:1" });

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("pulling image 127.0.0.1:5000/canopy/missing:1 failed");
        report.StatusDetail.ShouldContain("not found");
        await ShouldHaveNothingInContainerdAsync(key);

        // No retry storm: FAILED stays until the cluster deploys again.
        await Task.Delay(1500);
        node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1);
        node.Runtime.Find(key).ShouldNotBeNull().Status.ShouldBe(InstanceStatus.Failed);
    }

    [Fact]
    public async Task A_privileged_sla_on_a_node_without_the_operators_opt_in_fails_and_creates_nothing()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        node.Options.AllowPrivileged.ShouldBeFalse();

        var report = await node.DeployAsync(ContainerdFixture.Spec(id) with { Privileged = true });

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("privileged containers are not allowed on node");
        report.StatusDetail.ShouldContain("--allow-privileged");
        await ShouldHaveNothingInContainerdAsync(key);
    }

    [Fact]
    public async Task A_registry_that_cannot_be_reached_fails_with_the_connection_error()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var closed = Ports.Free();

        var report = await node.DeployAsync(ContainerdFixture.Spec(id) with { Code = $"127.0.0.1:{closed}/canopy/busybox:1" });

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("connection refused");
        await ShouldHaveNothingInContainerdAsync(key);
    }

    [Theory]
    [InlineData("127.0.0.1:5000/Canopy/BusyBox:1", "does not parse")]
    [InlineData("canopy/busybox::1", "does not parse")]
    [InlineData("", "need an image reference")]
    public async Task An_image_reference_that_does_not_parse_fails_before_anything_is_created(string image, string expected)
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        var report = await node.DeployAsync(ContainerdFixture.Spec(id) with { Code = image });

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain(expected);
        await ShouldHaveNothingInContainerdAsync(key);
    }

    [Fact]
    public async Task A_host_port_bound_on_the_node_fails_the_deploy_and_nothing_is_created()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        using var listener = new TcpListener(IPAddress.Any, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var report = await node.DeployAsync(ContainerdFixture.Spec(id, $"{port}:8080"));

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldBe($"port {port} is already in use on node container-test-node");
        await ShouldHaveNothingInContainerdAsync(key);
    }

    [Fact]
    public async Task A_host_port_another_container_publishes_is_refused_too()
    {
        var port = Ports.Free();
        var first = ContainerdFixture.NewServiceId();
        (await node.DeployAsync(ContainerdFixture.Spec(first, $"{port}:8080"))).Status.ShouldBe(InstanceStatus.Running);
        var second = ContainerdFixture.NewServiceId();

        var report = await node.DeployAsync(ContainerdFixture.Spec(second, $"{port + 1}:81;{port}:8080"));

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain($"port {port} is already in use");
        await ShouldHaveNothingInContainerdAsync(new InstanceKey(second, 0));
    }

    [Fact]
    public async Task Memory_below_what_a_container_needs_is_refused()
    {
        var id = ContainerdFixture.NewServiceId();

        var report = await node.DeployAsync(ContainerdFixture.Spec(id) with { Memory = 4 });

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldBe("memory 4 MB is below the 6 MB a container needs");
        await ShouldHaveNothingInContainerdAsync(new InstanceKey(id, 0));
    }

    [Fact]
    public async Task A_command_the_image_does_not_have_fails_with_containerds_message_and_leaves_nothing()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        var report = await node.DeployAsync(ContainerdFixture.Spec(id, null, "/bin/no-such-program"));

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldNotBeNull().ShouldContain("starting the container failed");
        report.StatusDetail.ShouldContain("no-such-program");
        await ShouldHaveNothingInContainerdAsync(key);
    }

    private async Task ShouldHaveNothingInContainerdAsync(InstanceKey key)
    {
        (await node.ContainersOf(key)).ShouldBeEmpty();
        (await node.SandboxesOf(key)).ShouldBeEmpty();
    }
}
