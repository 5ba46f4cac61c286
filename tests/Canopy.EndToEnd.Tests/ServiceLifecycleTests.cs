using System.Diagnostics;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>Steps 3–8 of the first issue, through the CLI and the API, against `canopy up` as a real process.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ServiceLifecycleTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();
    private HttpClient _api = null!;

    public ServiceLifecycleTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        await _canopy.StartAsync();
        var login = await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword);
        login.ExitCode.ShouldBe(0, login.ToString());
        _api = await _canopy.ApiAsync();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _canopy.DisposeAsync();
    }

    [Fact]
    public async Task Deploy_Exec_RunsServesReportsRestartsScalesAndDeletes()
    {
        var port = FreePort.Block(3);
        var sla = Slas.ExecWeb(_canopy.DataDir, port);

        var deployed = Stopwatch.StartNew();
        var deploy = await _canopy.CliAsync("app", "deploy", sla, "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        deploy.StdOut.ShouldContain("RUNNING");
        (await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Contains("hello from canopy 0"), TimeSpan.FromSeconds(5), "the page"))
            .ShouldContain("hello from canopy");
        deployed.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(30));

        // Step 4: status, node, cluster, cpu and memory everywhere a user looks.
        var service = await _api.ServiceByNameAsync("hello");
        var instance = service.InstanceList.ShouldHaveSingleItem();
        instance.Status.ShouldBe(InstanceStatus.Running);
        instance.NodeName.ShouldBe("e2e-node");
        instance.ClusterName.ShouldBe("cluster-1");
        await Wait.UntilAsync(async () => (await _api.ServiceAsync(service.MicroserviceId)).InstanceList[0].Memory > 0, TimeSpan.FromSeconds(6), "memory metrics");
        var list = await _canopy.CliAsync("instance", "list");
        list.ExitCode.ShouldBe(0, list.ToString());
        list.StdOut.ShouldContain("RUNNING");
        list.StdOut.ShouldContain("e2e-node");
        (await _canopy.CliAsync("service", "list")).StdOut.ShouldContain("hello.e2e.web.e2e");
        var logs = await Wait.ForAsync(() => _canopy.CliAsync("logs", "hello.e2e.web.e2e"), r => r.StdOut.Contains("serving instance 0"), TimeSpan.FromSeconds(5), "logs");
        logs.ExitCode.ShouldBe(0);

        // Step 5: SIGKILL of the process ⇒ it comes back, restart count up.
        var pid = (await _api.ServiceAsync(service.MicroserviceId)).InstanceList[0].Pid;
        pid.ShouldNotBeNull();
        Signals.KillWorkload(pid!.Value);
        var restarted = await Wait.ForAsync(() => _api.ServiceAsync(service.MicroserviceId),
            s => s.InstanceList[0].RestartCount >= 1 && s.InstanceList[0].Status == InstanceStatus.Running, TimeSpan.FromSeconds(10), "the instance to be restarted");
        restarted.InstanceList[0].RestartCount.ShouldBe(1);
        await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Contains("hello"), TimeSpan.FromSeconds(5), "the page after restart");

        // Step 6: scale to 3, each instance on its own port.
        var scale = await _canopy.CliAsync("service", "scale", "hello.e2e.web.e2e", "3");
        scale.ExitCode.ShouldBe(0, scale.ToString());
        var scaled = await Wait.ForAsync(() => _api.ServiceAsync(service.MicroserviceId),
            s => s.InstanceList.Count == 3 && s.InstanceList.All(i => i.Status == InstanceStatus.Running), TimeSpan.FromSeconds(15), "3 running instances");
        foreach (var i in scaled.InstanceList)
        {
            (await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port + i.InstanceNumber), t => t.Contains($"canopy {i.InstanceNumber}"), TimeSpan.FromSeconds(5), $"instance {i.InstanceNumber}'s page"))
                .ShouldContain($"hello from canopy {i.InstanceNumber}");
        }

        var removed = await _api.DeleteAsync($"api/service/{service.MicroserviceId}/instance/2");
        removed.IsSuccessStatusCode.ShouldBeTrue(await removed.Content.ReadAsStringAsync());
        await Wait.ForAsync(() => _api.ServiceAsync(service.MicroserviceId), s => s.InstanceList.Count == 2, TimeSpan.FromSeconds(10), "instance 2 to be removed");

        // Step 7: delete the app ⇒ every process stops, records gone.
        var pids = (await _api.ServiceAsync(service.MicroserviceId)).InstanceList.Select(i => i.Pid!.Value).ToList();
        var delete = await _canopy.CliAsync("app", "delete", "hello", "--wait");
        delete.ExitCode.ShouldBe(0, delete.ToString());
        (await _api.AppsAsync()).ShouldNotContain(a => a.ApplicationName == "hello");
        foreach (var p in pids)
        {
            await Wait.UntilAsync(() => Task.FromResult(!Signals.IsAlive(p)), TimeSpan.FromSeconds(10), $"process {p} to stop");
        }

        await Wait.UntilAsync(async () =>
        {
            try
            {
                await ApiClientExtensions.GetTextAsync(port);
                return false;
            }
            catch (HttpRequestException)
            {
                return true;
            }
        }, TimeSpan.FromSeconds(5), "the port to close");
    }

    [Fact]
    public async Task OneShot_ExitZero_EndsCompletedAndStaysSo()
    {
        var deploy = await _canopy.CliAsync("app", "deploy", Slas.OneShot(_canopy.DataDir));
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var service = await Wait.ForAsync(() => _api.ServiceByNameAsync("batch"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Completed, TimeSpan.FromSeconds(10), "COMPLETED");
        service.Status.ShouldBe("COMPLETED");
        (await _canopy.CliAsync("logs", "batch.e2e.job.e2e")).StdOut.ShouldContain("job done");

        // Stays so: nothing restarts it over a few status reports.
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (DateTime.UtcNow < deadline)
        {
            var now = await _api.ServiceAsync(service.MicroserviceId);
            now.InstanceList[0].Status.ShouldBe(InstanceStatus.Completed);
            now.InstanceList[0].RestartCount.ShouldBe(0);
            await Task.Delay(500);
        }
    }

    [Fact]
    public async Task Yaml_Descriptor_Deploys()
    {
        var port = FreePort.Block(3);
        var deploy = await _canopy.CliAsync("app", "deploy", Slas.Yaml(_canopy.DataDir, port), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        (await _api.ServiceByNameAsync("yamlapp")).InstanceList.ShouldHaveSingleItem().Status.ShouldBe(InstanceStatus.Running);
    }
}
