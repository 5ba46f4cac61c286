using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecServingTests : IAsyncLifetime
{
    private readonly ExecHarness _node = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

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
