using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecServingTests : IAsyncLifetime
{
    private readonly ExecHarness _node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    /// <summary>busybox httpd serving a directory on $PORT: the standard exec workload.</summary>
    internal static Contracts.ServiceSpec HttpdSpec(string serviceId, int port, string wwwDir) =>
        ExecHarness.Shell(serviceId, $"exec {Prerequisites.Busybox} httpd -f -p \"$PORT\" -h \"$WWW\"") with
        {
            Port = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Environment = [$"WWW={wwwDir}"],
        };

    internal static string MakeSite(string root, string content)
    {
        var www = Directory.CreateDirectory(Path.Combine(root, "www-" + Guid.NewGuid().ToString("N")[..6])).FullName;
        File.WriteAllText(Path.Combine(www, "index.html"), content);
        return www;
    }

    [Fact]
    public async Task An_exec_instance_serves_http_on_its_PORT()
    {
        var id = ExecHarness.NewServiceId();
        var port = Ports.Free();
        var www = MakeSite(_node.DataDir, "hello from canopy");

        var report = await _node.DeployAsync(HttpdSpec(id, port, www));

        report.Status.ShouldBe(InstanceStatus.Running);
        report.HostPort.ShouldBe(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        report.Pid.ShouldNotBeNull();
        report.RestartCount.ShouldBe(0);
        (await Http.GetEventuallyAsync(port)).ShouldBe("hello from canopy");

        var events = _node.EventsOf(new InstanceKey(id, 0)).Select(e => e.Report.Status).ToArray();
        events.ShouldBe([InstanceStatus.Creating, InstanceStatus.Running]);
    }

    [Fact]
    public async Task Deploying_a_running_instance_again_only_re_reports_it()
    {
        var id = ExecHarness.NewServiceId();
        var spec = ExecHarness.Shell(id, "exec sleep 300");
        var first = await _node.DeployAsync(spec);
        await Eventually.True(() => Procs.ChildrenOf(first.Pid!.Value).Length == 1, "the workload");

        var second = await _node.DeployAsync(spec);

        second.Status.ShouldBe(InstanceStatus.Running);
        second.Pid.ShouldBe(first.Pid);
        Procs.ChildrenOf(first.Pid!.Value).Length.ShouldBe(1, "one workload under the one wrapper");
        var reports = new List<Contracts.InstanceReport>();
        _node.Runtime.CollectReports(reports);
        reports.Count(r => r.ServiceId == id).ShouldBe(1);
    }

    [Fact]
    public async Task Instance_number_offsets_every_port_and_the_environment_is_set()
    {
        var id = ExecHarness.NewServiceId();
        var port = Ports.Free(span: 4);
        var spec = ExecHarness.Shell(id, "echo \"vars $CANOPY_SERVICE|$CANOPY_SERVICE_ID|$CANOPY_INSTANCE|$PORT|$PORT_0|$PORT_1|$GREETING|${CANOPY_TEST_SECRET:-unset}\"; exec sleep 300") with
        {
            Port = $"{port}:80;{port + 1}:81/udp",
            Environment = ["GREETING=hi there"],
        };
        Environment.SetEnvironmentVariable("CANOPY_TEST_SECRET", "leaked");

        var report = await _node.DeployAsync(spec, instance: 2);

        report.HostPort.ShouldBe((port + 2).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var key = new InstanceKey(id, 2);
        var logs = await Eventually.UntilAsync(
            () => _node.Runtime.ReadLogsAsync(key, 10, CancellationToken.None), l => l?.Contains("vars") == true, "the environment line");
        logs.ShouldContain($"vars {spec.JobName}|{id}|2|{port + 2}|{port + 2}|{port + 3}|hi there|unset");
    }
}
