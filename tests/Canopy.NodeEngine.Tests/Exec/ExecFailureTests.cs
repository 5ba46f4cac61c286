using System.Net;
using System.Net.Sockets;
using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecFailureTests : IAsyncLifetime
{
    private readonly ExecHarness _node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_port_already_in_use_fails_the_instance_for_good()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var report = await _node.DeployAsync(ExecHarness.Shell(id, "exec sleep 300") with { Port = $"{port}" });

        report.Status.ShouldBe(InstanceStatus.Failed);
        report.StatusDetail.ShouldBe($"port {port} is already in use on node test-node");
        report.Pid.ShouldBeNull();
        await Task.Delay(RestartRules.InitialDelay * 4);
        _node.Runtime.Find(key).ShouldNotBeNull().Status.ShouldBe(InstanceStatus.Failed);
        _node.EventsOf(key).Select(e => e.Report.Status).ShouldBe([InstanceStatus.Creating, InstanceStatus.Failed]);
    }

    [Fact]
    public async Task A_service_id_that_could_escape_the_data_dir_is_refused()
    {
        var report = await _node.DeployAsync(ExecHarness.Spec("../../etc", "/bin/true"));

        report.Status.ShouldBe(InstanceStatus.Failed);
        Directory.Exists(Path.Combine(_node.Options.InstancesDir, "../../etc.0")).ShouldBeFalse();
    }
}
