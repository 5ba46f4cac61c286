using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Exec;

public sealed class ExecLogTests : IAsyncLifetime
{
    private readonly ExecHarness _node = new(o => o.LogMaxBytes = 1000);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Stdout_and_stderr_land_in_the_log_and_the_tail_returns_the_last_lines()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);

        await _node.DeployAsync(ExecHarness.Shell(id, "echo to-stdout; echo to-stderr >&2; echo last-line; exec sleep 300"));

        var all = await Eventually.UntilAsync(
            () => _node.Runtime.ReadLogsAsync(key, 100, CancellationToken.None), l => l?.Contains("last-line") == true, "all three lines");
        all.ShouldBe("to-stdout\nto-stderr\nlast-line\n");
        (await _node.Runtime.ReadLogsAsync(key, 1, CancellationToken.None)).ShouldBe("last-line\n");
        (await _node.Runtime.ReadLogsAsync(new InstanceKey(id, 9), 1, CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task A_log_beyond_its_limit_is_rotated_in_place_and_the_tail_spans_both_files()
    {
        var id = ExecHarness.NewServiceId();
        var key = new InstanceKey(id, 0);
        var log = Path.Combine(_node.InstanceDir(key), "stdout.log");

        await _node.DeployAsync(ExecHarness.Shell(
            id,
            "head -c 3000 /dev/zero | tr '\\0' x; echo; echo before-rotation; " +
            "while [ ! -f \"$HOME/go\" ]; do sleep 0.1; done; echo after-rotation; exec sleep 300"));
        await Eventually.UntilAsync(
            () => _node.Runtime.ReadLogsAsync(key, 1, CancellationToken.None), l => l == "before-rotation\n", "the first lines");

        // The runtime rotates every 2 s; the deadline covers a few rounds.
        await Eventually.True(() => File.Exists(log + ".1") && new FileInfo(log).Length == 0, "rotation");
        await File.WriteAllTextAsync(Path.Combine(_node.HomeDir(key), "go"), "");

        var tail = await Eventually.UntilAsync(
            () => _node.Runtime.ReadLogsAsync(key, 2, CancellationToken.None), l => l?.Contains("after-rotation") == true, "the line after rotation");
        tail.ShouldBe("before-rotation\nafter-rotation\n");
        var current = await File.ReadAllBytesAsync(log);
        current.ShouldNotContain((byte)0, "appending writes continue at the new end, not at the old offset");
        current.Length.ShouldBeLessThan(100);
    }
}
