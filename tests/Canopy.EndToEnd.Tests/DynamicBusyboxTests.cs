using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// A machine whose busybox is Debian's dynamically linked one: `canopy up` runs exec services, says once why it cannot run
/// containers, shows it in `canopy nodes`, and a container deploy ends in a negative state with that reason. The node is
/// pointed at a dynamic executable (a copy of /bin/ls) instead of swapping Debian packages under other tests.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DynamicBusyboxTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();
    private string _busybox = "";

    public DynamicBusyboxTests() => ContainerRequirements.Check();

    public async Task InitializeAsync()
    {
        _busybox = Path.Combine(_canopy.DataDir, "busybox");
        File.Copy("/bin/ls", _busybox);
        var config = Path.Combine(_canopy.DataDir, "canopy.json");
        await File.WriteAllTextAsync(config, $$"""{ "Node": { "BusyboxPath": "{{_busybox}}" } }""");
        await _canopy.StartAsync(extraArgs: ["--config", config]);
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync() => await _canopy.DisposeAsync();

    [Fact]
    public async Task The_node_offers_exec_only_says_why_once_and_a_container_deploy_ends_with_that_reason()
    {
        var why = $"{_busybox} is dynamically linked";
        var nodes = await Wait.ForAsync(() => _canopy.CliAsync("nodes"), r => r.StdOut.Contains("cannot run container"),
            TimeSpan.FromSeconds(30), "canopy nodes to say why the node cannot run containers");
        nodes.StdOut.ShouldContain($"node e2e-node cannot run container: {why}");
        nodes.StdOut.ShouldContain("apt-get install busybox-static");

        var port = FreePort.Block(1);
        (await _canopy.CliAsync("app", "deploy", ContainerSlas.Web(_canopy.DataDir, "web", port))).ExitCode.ShouldBe(0);
        using var api = await _canopy.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("web"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.NoActiveClusterWithCapacity, TimeSpan.FromSeconds(30),
            "the placement to fail");
        service.InstanceList[0].StatusDetail.ShouldNotBeNull().ShouldContain($"has no usable container runtime (node e2e-node: {why}");

        var log = _canopy.StdOut + _canopy.StdErr;
        log.Split('\n').Count(l => l.Contains("Container runtime unavailable") && l.Contains(why)).ShouldBe(1, log);
        Directory.Exists(Path.Combine(_canopy.DataDir, "node", "containerd")).ShouldBeFalse("no containerd is started for containers that cannot run");
        (await _canopy.CliAsync("app", "delete", "web", "--wait")).ExitCode.ShouldBe(0);
    }
}
