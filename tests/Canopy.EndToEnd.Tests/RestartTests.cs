using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>Step 8: stop and start `canopy up` over the same data dir: everything is still there, running, not duplicated.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RestartTests
{
    public RestartTests() => Requirements.Check();

    [Fact]
    public async Task Restart_SameDataDir_KeepsAppsServicesInstancesUsers_RunningAgain_NoDuplicates()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        (await canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        var port = FreePort.Block(3);
        var deploy = await canopy.CliAsync("app", "deploy", Slas.ExecWeb(canopy.DataDir, port, "keep"), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        (await canopy.CliAsync("service", "scale", "keep.e2e.web.e2e", "2")).ExitCode.ShouldBe(0);
        NodeDocument nodeBefore;
        using (var api = await canopy.ApiAsync())
        {
            await Wait.ForAsync(() => api.ServiceByNameAsync("keep"),
                s => s.InstanceList.Count == 2 && s.InstanceList.All(i => i.Status == InstanceStatus.Running), TimeSpan.FromSeconds(15), "2 running");
            var user = await api.PostJsonAsync("api/auth/register", new { name = "alice", password = "alice-password-1", roles = new[] { "Application_Provider" }, email = "a@example.org" });
            user.IsSuccessStatusCode.ShouldBeTrue(await user.Content.ReadAsStringAsync());
            nodeBefore = (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes")).ShouldHaveSingleItem();
        }

        (await canopy.StopAsync()).ShouldBe(0, canopy.StdErr);
        await canopy.StartAsync();

        using var again = await canopy.ApiAsync();
        (await again.AppsAsync()).Count(a => a.ApplicationName == "keep").ShouldBe(1);
        var service = await Wait.ForAsync(() => again.ServiceByNameAsync("keep"),
            s => s.InstanceList.Count == 2 && s.InstanceList.All(i => i.Status == InstanceStatus.Running), TimeSpan.FromSeconds(20), "the instances running again");
        service.InstanceList.Select(i => i.InstanceNumber).Order().ShouldBe([0, 1]);
        await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Contains("hello"), TimeSpan.FromSeconds(5), "instance 0's page");
        await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port + 1), t => t.Contains("hello"), TimeSpan.FromSeconds(5), "instance 1's page");
        (await again.GetAsync("api/user/alice")).IsSuccessStatusCode.ShouldBeTrue();

        // The restarted cluster and node proved themselves with their own secrets and kept their ids.
        var nodeAfter = (await again.GetJsonAsync<List<NodeDocument>>("api/v1/nodes")).ShouldHaveSingleItem();
        (nodeAfter.Id, nodeAfter.ClusterId).ShouldBe((nodeBefore.Id, nodeBefore.ClusterId));
        (await again.GetJsonAsync<List<ClusterDocument>>("api/clusters/")).ShouldHaveSingleItem().Id.ShouldBe(nodeBefore.ClusterId);

        // Exactly one workload per instance on the machine: nothing was started twice.
        var httpds = Directory.EnumerateDirectories("/proc")
            .Select(d => Path.Combine(d, "cmdline"))
            .Select(f => { try { return File.ReadAllText(f).Replace('\0', ' '); } catch (IOException) { return ""; } })
            .Count(c => c.StartsWith("busybox httpd", StringComparison.Ordinal) && (c.Contains($"-p {port} ") || c.Contains($"-p {port + 1} ")));
        httpds.ShouldBe(2);
    }
}
