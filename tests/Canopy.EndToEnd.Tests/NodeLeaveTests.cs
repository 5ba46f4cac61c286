using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// `canopy node --leave`: a worker that ran a container leaves its cluster for good. The cluster forgets it and places its
/// instance again; nothing of the worker is left on the machine (containers, containerd, bridge, CNI rules, data dir).
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class NodeLeaveTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();
    private NodeProcess _worker = null!;

    public NodeLeaveTests() => ContainerRequirements.Check();

    public async Task InitializeAsync()
    {
        // The embedded node runs exec only: the container can only go to the worker.
        await _canopy.StartAsync(extraArgs: ["--no-containers"]);
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        _worker = new NodeProcess(_canopy, "leaver");
        _worker.Start();
    }

    public async Task DisposeAsync()
    {
        await _worker.DisposeAsync();
        await _canopy.DisposeAsync();
    }

    [Fact]
    public async Task A_worker_that_leaves_is_forgotten_its_instance_is_placed_again_and_nothing_of_it_remains()
    {
        await ContainerRequirements.WaitForContainersAsync(_canopy, "leaver");
        // canopy up's data dir holds the root's and the cluster's state beside its node's: a leave must never delete it.
        var wrongDir = await _canopy.CliAsync("node", "--leave", "--data-dir", _canopy.DataDir, "--cluster", _canopy.ClusterUrl);
        wrongDir.ExitCode.ShouldNotBe(0);
        wrongDir.StdErr.ShouldContain($"is not a node's data dir but holds one: {Path.Combine(_canopy.DataDir, "node")}");
        Directory.Exists(Path.Combine(_canopy.DataDir, "root")).ShouldBeTrue();

        var port = await NodeNetworkTests.DeployWebAsync(_canopy, "moving");
        var nodeDir = _worker.DataDir;
        var state = NodeKernelState.OfNode(nodeDir);
        (await state.RulesAsync()).ShouldNotBeEmpty();

        // Stopped as usual: its container and containerd keep running, ready to be adopted.
        await _worker.KillAsync(Signals.SigTerm);
        (await ApiClientExtensions.GetTextAsync(port)).ShouldContain("canopy");

        var leave = await LeaveAsync();

        leave.ExitCode.ShouldBe(0, leave.ToString());
        leave.StdOut.ShouldContain("Node leaver left the cluster");
        leave.StdOut.ShouldContain("Removed 1 instance(s)");
        var nodes = CanopyJson.Deserialize<List<NodeDocument>>((await _canopy.CliAsync("nodes", "-o", "json")).StdOut)!;
        nodes.ShouldNotContain(n => n.Name == "leaver");
        using var api = await _canopy.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("moving"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status.IsNegativeScheduling(), TimeSpan.FromSeconds(30),
            "the instance placed again (no other node runs containers)");
        service.InstanceList[0].StatusDetail.ShouldNotBeNull().ShouldContain("container runtime");
        await Should.ThrowAsync<Exception>(() => ApiClientExtensions.GetTextAsync(port));
        state.BridgeExists.ShouldBeFalse();
        (await state.RulesAsync()).ShouldBeEmpty();
        Directory.Exists(nodeDir).ShouldBeFalse();
        Directory.EnumerateDirectories("/proc").ShouldNotContain(
            d => File.Exists(Path.Combine(d, "cmdline")) && SafeRead(Path.Combine(d, "cmdline")).Contains(nodeDir + "/", StringComparison.Ordinal),
            "no containerd, shim or container of the worker is left");

        var again = await LeaveAsync();
        again.ExitCode.ShouldNotBe(0);
        again.StdErr.ShouldContain("nothing to leave");
    }

    /// <summary>No join token: the node proves itself with the secret in its data dir.</summary>
    private Task<CliResult> LeaveAsync() =>
        _canopy.CliAsync("node", "--leave", "--data-dir", _worker.DataDir, "--cluster", _canopy.ClusterUrl, "--name", "leaver");

    private static string SafeRead(string path)
    {
        try
        {
            return File.ReadAllText(path).Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }
}
