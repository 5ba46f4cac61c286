using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>The container issue's steps 3–8 against `canopy up` with its own containerd, images from the local registry.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ContainerTests : IAsyncLifetime
{
    private const string HttpdCmdline = "httpd -f -v -p 8080 -h /www";
    private readonly CanopyProcess _canopy = new();
    private HttpClient _api = null!;

    public ContainerTests() => ContainerRequirements.Check();

    private string Socket => Path.Combine(_canopy.DataDir, "node", "containerd", "containerd.sock");

    public async Task InitializeAsync()
    {
        await _canopy.StartAsync();
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        _api = await _canopy.ApiAsync();
        await ContainerRequirements.WaitForContainersAsync(_canopy);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _canopy.DisposeAsync();
    }

    [Fact]
    public async Task Container_RunsServesReportsLogsRestartsAndIsRemovedCompletely()
    {
        var port = FreePort.Block(1);
        var deploy = await _canopy.CliAsync("app", "deploy", ContainerSlas.Web(_canopy.DataDir, "shop", port), "--watch", "--timeout", "60");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        (await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Length > 0, TimeSpan.FromSeconds(10), "the page")).ShouldContain("canopy");

        var service = await Wait.ForAsync(() => _api.ServiceByNameAsync("shop"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Memory > 0, TimeSpan.FromSeconds(10), "container metrics");
        service.InstanceList[0].Status.ShouldBe(InstanceStatus.Running);
        var logs = await Wait.ForAsync(() => _canopy.CliAsync("logs", "shop.e2e.svc.e2e"), r => r.StdOut.Contains("response:200"), TimeSpan.FromSeconds(10), "httpd's request log");
        logs.ExitCode.ShouldBe(0);

        // SIGKILL of the container's process: DEAD, then RUNNING again, one restart.
        var pids = ContainerRequirements.PidsOf(HttpdCmdline);
        pids.ShouldHaveSingleItem();
        Signals.Kill(pids[0], Signals.SigKill);
        await Wait.ForAsync(() => _api.ServiceAsync(service.MicroserviceId),
            s => s.InstanceList[0].RestartCount == 1 && s.InstanceList[0].Status == InstanceStatus.Running, TimeSpan.FromSeconds(15), "the container to restart");
        await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Contains("canopy"), TimeSpan.FromSeconds(10), "the page after restart");

        // Undeploy removes container and sandbox: nothing of Canopy's is left in containerd.
        var delete = await _canopy.CliAsync("app", "delete", "shop", "--wait");
        delete.ExitCode.ShouldBe(0, delete.ToString());
        await Wait.ForAsync(() => ContainerRequirements.ContainerCountAsync(Socket), n => n == 0, TimeSpan.FromSeconds(15), "containerd to hold no container");
        Directory.EnumerateDirectories(Path.Combine(_canopy.DataDir, "node")).ShouldNotContain(d => Directory.EnumerateFiles(d, "container.log", SearchOption.AllDirectories).Any());
    }

    [Fact]
    public async Task Container_OverItsMemoryLimit_IsOomKilled_AndRestarted()
    {
        var sla = ContainerSlas.Service(_canopy.DataDir, "hog", """["sh", "-c", "echo filling; x=$(head -c 200000000 /dev/zero | tr '\\0' a); sleep 1000"]""", memory: 16);
        (await _canopy.CliAsync("app", "deploy", sla)).ExitCode.ShouldBe(0);
        var service = await Wait.ForAsync(() => _api.ServiceByNameAsync("hog"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].RestartCount >= 1 && (s.InstanceList[0].StatusDetail ?? "").Contains("OOMKilled"),
            TimeSpan.FromSeconds(30), "an OOM kill and a restart");
        service.InstanceList[0].StatusDetail.ShouldNotBeNull().ShouldContain("OOMKilled");
    }

    [Fact]
    public async Task Container_OneShotExitZero_Completed_And_MissingImage_Failed()
    {
        var job = ContainerSlas.Service(_canopy.DataDir, "once", """["sh", "-c", "echo batch done"]""", extra: """, "one_shot": true""");
        (await _canopy.CliAsync("app", "deploy", job)).ExitCode.ShouldBe(0);
        await Wait.ForAsync(() => _api.ServiceByNameAsync("once"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Completed, TimeSpan.FromSeconds(30), "COMPLETED");

        var missing = ContainerSlas.Service(_canopy.DataDir, "ghost", "[]", image: "127.0.0.1:5000/canopy/does-not-exist:1");
        (await _canopy.CliAsync("app", "deploy", missing)).ExitCode.ShouldBe(0);
        var failed = await Wait.ForAsync(() => _api.ServiceByNameAsync("ghost"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Failed, TimeSpan.FromSeconds(30), "FAILED");
        failed.InstanceList[0].StatusDetail.ShouldNotBeNullOrEmpty();
        failed.InstanceList[0].StatusDetail!.ToLowerInvariant().ShouldContain("not found");
    }
}
