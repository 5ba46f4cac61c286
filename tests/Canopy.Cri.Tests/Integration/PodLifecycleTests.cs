using System.Diagnostics;
using System.Text;
using Canopy.Cri.V1;
using Grpc.Core;
using Xunit.Abstractions;

namespace Canopy.Cri.Tests.Integration;

[Collection(ContainerdCollection.Name)]
public sealed class PodLifecycleTests(ContainerdFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    private CriClient Client => fixture.Client;

    [Fact]
    public async Task Web_pod_serves_through_its_port_mapping_and_reports_status_stats_logs_and_exec()
    {
        var image = await fixture.EnsureImageAsync(fixture.BusyboxImage);
        var hostPort = TestPods.FreePort();
        var name = "web-" + Guid.NewGuid().ToString("N")[..6];
        var sandboxConfig = TestPods.Sandbox(fixture, name, hostPort);

        var watch = Stopwatch.StartNew();
        var sandboxId = await fixture.RunPodSandboxAsync(sandboxConfig);
        var runSandbox = watch.ElapsedMilliseconds;

        // -v: httpd logs each request to stderr, which gives the log file a second stream.
        var containerConfig = TestPods.Container(fixture, name, fixture.BusyboxImage, memoryMiB: 64,
            ["/bin/sh", "-c", "echo started $GREETING; exec httpd -f -v -p 8080 -h /www"]);
        watch.Restart();
        var containerId = await Client.CreateContainerAsync(sandboxId, containerConfig, sandboxConfig, CancellationToken.None);
        await Client.StartContainerAsync(containerId, CancellationToken.None);
        var createStart = watch.ElapsedMilliseconds;

        watch.Restart();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var page = await Eventually.ForAsync(
            () => http.GetStringAsync($"http://127.0.0.1:{hostPort}/"),
            _ => true,
            Patience,
            $"the page on 127.0.0.1:{hostPort}",
            retryOn: e => e is HttpRequestException or TaskCanceledException);
        var firstResponse = watch.ElapsedMilliseconds;
        page.ShouldContain("hello from canopy/busybox");
        output.WriteLine($"RunPodSandbox {runSandbox} ms; CreateContainer+StartContainer {createStart} ms; first HTTP 200 after start {firstResponse} ms");

        var sandbox = await Client.PodSandboxStatusAsync(sandboxId, CancellationToken.None);
        sandbox.Status.State.ShouldBe(PodSandboxState.SandboxReady);
        sandbox.Status.Network.Ip.ShouldStartWith(ContainerdConfigFiles.SubnetPrefix);

        var status = await Client.ContainerStatusAsync(containerId, CancellationToken.None);
        status.State.ShouldBe(ContainerState.ContainerRunning);
        status.StartedAt.ShouldBeGreaterThan(0);
        status.ImageRef.ShouldNotBeNullOrEmpty();
        status.Labels["canopy.test/container"].ShouldBe(name);
        status.LogPath.ShouldBe(Path.Combine(sandboxConfig.LogDirectory, containerConfig.LogPath));
        (await Client.ListContainersAsync(null, CancellationToken.None)).Single(c => c.Id == containerId).ImageRef.ShouldBe(image);

        await AssertStatsAsync(containerId, name);
        await AssertLogsAsync(status.LogPath);
        await AssertExecAsync(containerId, name);
        await AssertListsByLabelAsync(sandboxId, containerId, name);

        watch.Restart();
        await Client.StopContainerAsync(containerId, 5, CancellationToken.None);
        (await Client.ContainerStatusAsync(containerId, CancellationToken.None)).State.ShouldBe(ContainerState.ContainerExited);
        await Client.RemoveContainerAsync(containerId, CancellationToken.None);
        (await Should.ThrowAsync<CriException>(() => Client.ContainerStatusAsync(containerId, CancellationToken.None)))
            .StatusCode.ShouldBe(StatusCode.NotFound);
        await fixture.RemovePodSandboxAsync(sandboxId);
        output.WriteLine($"teardown (stop+remove container, stop+remove sandbox) {watch.ElapsedMilliseconds} ms");

        (await Client.ListPodSandboxAsync(Pod(name), CancellationToken.None)).ShouldBeEmpty();
        (await Client.ListContainersAsync(new Dictionary<string, string> { ["canopy.test/container"] = name }, CancellationToken.None)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Container_past_its_memory_limit_is_oom_killed()
    {
        await fixture.EnsureImageAsync(fixture.BusyboxImage);
        var name = "oom-" + Guid.NewGuid().ToString("N")[..6];
        var sandboxConfig = TestPods.Sandbox(fixture, name);
        var sandboxId = await fixture.RunPodSandboxAsync(sandboxConfig);
        // dd's 64 MB block buffer is touched page by page when it reads /dev/zero into it: past the 32 MiB limit.
        var config = TestPods.Container(fixture, name, fixture.BusyboxImage, memoryMiB: 32,
            ["dd", "if=/dev/zero", "of=/dev/null", "bs=64M", "count=4"]);
        var containerId = await Client.CreateContainerAsync(sandboxId, config, sandboxConfig, CancellationToken.None);
        await Client.StartContainerAsync(containerId, CancellationToken.None);

        // containerd records the exit and the OOM event separately (the reason can read "Error" for a moment in between).
        var status = await Eventually.ForAsync(
            () => Client.ContainerStatusAsync(containerId, CancellationToken.None),
            s => s.State == ContainerState.ContainerExited && s.Reason == "OOMKilled",
            Patience,
            "the container to exit as OOMKilled");

        output.WriteLine($"exit {status.ExitCode}, reason {status.Reason}, message '{status.Message}'");
        status.Reason.ShouldBe("OOMKilled");
        status.ExitCode.ShouldBe(137);
        status.FinishedAt.ShouldBeGreaterThanOrEqualTo(status.StartedAt);
        await fixture.RemovePodSandboxAsync(sandboxId);
    }

    [Fact]
    public async Task Exited_container_keeps_its_exit_code_and_output()
    {
        await fixture.EnsureImageAsync(fixture.BusyboxImage);
        var name = "job-" + Guid.NewGuid().ToString("N")[..6];
        var sandboxConfig = TestPods.Sandbox(fixture, name);
        var sandboxId = await fixture.RunPodSandboxAsync(sandboxConfig);
        var config = TestPods.Container(fixture, name, fixture.BusyboxImage, memoryMiB: 16,
            ["/bin/sh", "-c", "echo to-stdout; echo to-stderr >&2; exit 3"]);
        var containerId = await Client.CreateContainerAsync(sandboxId, config, sandboxConfig, CancellationToken.None);
        await Client.StartContainerAsync(containerId, CancellationToken.None);

        var status = await Eventually.ForAsync(
            () => Client.ContainerStatusAsync(containerId, CancellationToken.None),
            s => s.State == ContainerState.ContainerExited,
            Patience,
            "the container to exit");

        status.ExitCode.ShouldBe(3);
        status.Reason.ShouldBe("Error");
        var lines = ParseLog(status.LogPath);
        lines.ShouldContain(l => l.Stream == "stdout" && l.Message == "to-stdout");
        lines.ShouldContain(l => l.Stream == "stderr" && l.Message == "to-stderr");
        await fixture.RemovePodSandboxAsync(sandboxId);
    }

    private async Task AssertStatsAsync(string containerId, string name)
    {
        var stats = await Eventually.ForAsync(
            () => Client.ContainerStatsAsync(containerId, CancellationToken.None),
            s => s?.Cpu?.UsageCoreNanoSeconds is not null && s.Memory?.WorkingSetBytes is not null,
            Patience,
            "CPU and memory stats");
        stats!.Attributes.Id.ShouldBe(containerId);
        stats.Cpu.UsageCoreNanoSeconds.Value.ShouldBeGreaterThan(0UL);
        stats.Memory.WorkingSetBytes.Value.ShouldBeGreaterThan(0UL);
        stats.Memory.WorkingSetBytes.Value.ShouldBeLessThan(64UL * 1024 * 1024);
        output.WriteLine($"stats: cpu {stats.Cpu.UsageCoreNanoSeconds.Value} ns, working set {stats.Memory.WorkingSetBytes.Value} B, "
            + $"usage {stats.Memory.UsageBytes?.Value} B, rss {stats.Memory.RssBytes?.Value} B, available {stats.Memory.AvailableBytes?.Value} B");

        var listed = await Client.ListContainerStatsAsync(new Dictionary<string, string> { ["canopy.test/container"] = name }, CancellationToken.None);
        listed.Select(s => s.Attributes.Id).ShouldBe([containerId]);
    }

    private async Task AssertLogsAsync(string logPath)
    {
        // The container wrote "started" at once and httpd -v logged our GET on stderr; the runtime writes both to the file.
        var lines = await Eventually.ForAsync(
            () => Task.FromResult(File.Exists(logPath) ? ParseLog(logPath) : []),
            l => l.Any(x => x.Stream == "stdout") && l.Any(x => x.Stream == "stderr"),
            Patience,
            $"stdout and stderr lines in {logPath}");
        lines.ShouldContain(l => l.Stream == "stdout" && !l.Partial && l.Message == "started hello from env");
        lines.ShouldContain(l => l.Stream == "stderr" && l.Message.Contains("response:200"));
        lines.ShouldAllBe(l => l.Time > DateTimeOffset.UtcNow.AddMinutes(-5) && l.Time <= DateTimeOffset.UtcNow.AddMinutes(1));
    }

    private async Task AssertExecAsync(string containerId, string name)
    {
        var exec = await Client.ExecSyncAsync(containerId, ["sh", "-c", "echo $GREETING; hostname; wget -qO- 127.0.0.1:8080"], 10, CancellationToken.None);
        exec.ExitCode.ShouldBe(0);
        var stdout = exec.Stdout.ToStringUtf8();
        stdout.ShouldContain("hello from env");
        stdout.ShouldContain(name);
        stdout.ShouldContain("hello from canopy/busybox");

        var failing = await Client.ExecSyncAsync(containerId, ["sh", "-c", "echo oops >&2; exit 7"], 10, CancellationToken.None);
        failing.ExitCode.ShouldBe(7);
        Encoding.UTF8.GetString(failing.Stderr.Span).ShouldBe("oops\n");
    }

    private async Task AssertListsByLabelAsync(string sandboxId, string containerId, string name)
    {
        var containers = await Client.ListContainersAsync(new Dictionary<string, string>
        {
            ["canopy.test/run"] = fixture.RunId,
            ["canopy.test/container"] = name,
        }, CancellationToken.None);
        containers.Select(c => c.Id).ShouldBe([containerId]);
        containers[0].PodSandboxId.ShouldBe(sandboxId);
        containers[0].State.ShouldBe(ContainerState.ContainerRunning);

        (await Client.ListContainersAsync(new Dictionary<string, string> { ["canopy.test/container"] = "nobody" }, CancellationToken.None)).ShouldBeEmpty();
        (await Client.ListPodSandboxAsync(Pod(name), CancellationToken.None)).Select(p => p.Id).ShouldBe([sandboxId]);
    }

    private static Dictionary<string, string> Pod(string name) => new() { ["canopy.test/pod"] = name };

    private static List<(DateTimeOffset Time, string Stream, bool Partial, string Message)> ParseLog(string path)
    {
        var lines = new List<(DateTimeOffset, string, bool, string)>();
        // The runtime keeps the file open for writing; share it rather than lock it.
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        while (reader.ReadLine() is { } line)
        {
            CriLogLine.TryParse(line, out var time, out var s, out var partial, out var message).ShouldBeTrue($"unparsable log line: {line}");
            lines.Add((time, s, partial, message));
        }

        return lines;
    }
}
