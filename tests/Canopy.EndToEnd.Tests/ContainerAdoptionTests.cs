using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>Step 7: a node engine that stops (SIGTERM or SIGKILL) leaves its containers running and re-adopts them.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ContainerAdoptionTests
{
    public ContainerAdoptionTests() => ContainerRequirements.Check();

    [Theory]
    [InlineData(Signals.SigKill)]
    [InlineData(Signals.SigTerm)]
    public async Task NodeEngineStops_ContainersKeepRunning_RestartReadoptsWithoutRestart(int signal)
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync(extraArgs: ["--no-containers"]);
        await using var node = new NodeProcess(canopy, "ctr-node");
        node.Start();
        (await canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        await ContainerRequirements.WaitForContainersAsync(canopy, "ctr-node");
        using var api = await canopy.ApiAsync();

        var port = FreePort.Block(1);
        var deploy = await canopy.CliAsync("app", "deploy", ContainerSlas.Web(canopy.DataDir, "keep", port), "--watch", "--timeout", "60");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var before = await api.ServiceByNameAsync("keep");
        before.InstanceList[0].NodeName.ShouldBe("ctr-node");
        var httpd = ContainerRequirements.PidsOf("httpd -f -v -p 8080 -h /www").ShouldHaveSingleItem();

        await node.KillAsync(signal);
        (await ApiClientExtensions.GetTextAsync(port)).ShouldContain("canopy");
        Signals.IsAlive(httpd).ShouldBeTrue("the container outlives its node engine");

        node.Start();
        var after = await Wait.ForAsync(() => api.ServiceByNameAsync("keep"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.Running && s.InstanceList[0].NodeName == "ctr-node",
            TimeSpan.FromSeconds(30), "the instance RUNNING on ctr-node again");
        await Task.Delay(TimeSpan.FromSeconds(3)); // two inventory rounds: a duplicate or a restart would show by now
        after = await api.ServiceByNameAsync("keep");
        after.InstanceList.ShouldHaveSingleItem().RestartCount.ShouldBe(0);
        ContainerRequirements.PidsOf("httpd -f -v -p 8080 -h /www").ShouldBe([httpd]);
        (await ContainerRequirements.ContainerCountAsync(node.ContainerdSocket)).ShouldBe(2, "one sandbox and one container");
    }
}
