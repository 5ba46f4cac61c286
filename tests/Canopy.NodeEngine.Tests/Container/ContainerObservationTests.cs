using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Container;

[Collection(ContainerdCollection.Name)]
public sealed class ContainerObservationTests(ContainerdFixture node) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => node.RemoveDeployedAsync();

    [Fact]
    public async Task Stats_come_from_CRI_with_the_containers_memory_and_cpu_use()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);

        // Spins, capped at half a core by its quota: the CPU share is measured between two samples.
        await node.DeployAsync(ContainerdFixture.Spec(id, null, "sh", "-c", "while :; do :; done") with { Vcpus = 0.5 });

        var stats = await Eventually.UntilAsync(
            async () => await node.Runtime.StatsAsync(key, CancellationToken.None),
            s => s is { MemoryMb: > 0, CpuPercent: > 0 },
            "stats with memory and CPU",
            TimeSpan.FromSeconds(15));
        stats!.Value.MemoryMb.ShouldBeLessThan(64);
        stats.Value.CpuPercent.ShouldBeLessThanOrEqualTo(50.0 / Environment.ProcessorCount + 5, "half a core of the node's at most");
    }

    [Fact]
    public async Task Logs_are_the_containers_stdout_and_stderr_without_the_CRI_framing()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var longLine = new string('x', 20_000);

        // The streams are copied by separate readers: only the pauses make their order in the file certain.

        await node.DeployAsync(ContainerdFixture.Spec(id, null, "sh", "-c", $"echo first; sleep 0.2; echo second >&2; sleep 0.2; echo {longLine}; echo last; sleep 300"));

        var logs = await Eventually.UntilAsync(
            () => node.Runtime.ReadLogsAsync(key, 0, CancellationToken.None),
            text => text?.Contains("last\n") == true,
            "the last line in the log");
        logs.ShouldBe($"first\nsecond\n{longLine}\nlast\n", "a line containerd split into partial pieces is joined again");
        (await node.Runtime.ReadLogsAsync(key, 2, CancellationToken.None)).ShouldBe($"{longLine}\nlast\n");
        node.Runtime.Find(key).ShouldNotBeNull().Status.ShouldBe(InstanceStatus.Running);
    }

    [Fact]
    public async Task A_log_past_its_limit_is_rotated_and_containerd_keeps_writing_at_its_new_end()
    {
        var id = ContainerdFixture.NewServiceId();
        var key = new InstanceKey(id, 0);
        var limit = node.Options.LogMaxBytes;
        node.Options.LogMaxBytes = 4000;
        try
        {
            await node.DeployAsync(ContainerdFixture.Spec(id, null, "sh", "-c",
                "i=0; while [ $i -lt 400 ]; do echo \"line $i of the log, padded to make it longer\"; i=$((i+1)); sleep 0.02; done; sleep 300"));
            var log = Path.Combine(node.InstanceDir(key), "container.log");
            await Eventually.True(() => File.Exists(log + ".1"), "a rotated log", TimeSpan.FromSeconds(30));
            await Eventually.UntilAsync(
                () => node.Runtime.ReadLogsAsync(key, 1, CancellationToken.None), t => t == "line 399 of the log, padded to make it longer\n", "the last line");

            // containerd opened the file with O_APPEND: after the truncation its writes start at 0, no hole of NULs.
            var text = await File.ReadAllTextAsync(log);
            text.ShouldNotContain('\0');
            new FileInfo(log).Length.ShouldBeLessThan(40_000);
            var tail = await node.Runtime.ReadLogsAsync(key, 0, CancellationToken.None);
            tail.ShouldNotBeNull().ShouldEndWith("line 399 of the log, padded to make it longer\n");
        }
        finally
        {
            node.Options.LogMaxBytes = limit;
        }
    }
}
