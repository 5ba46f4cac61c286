using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// Several data dirs on one machine, one after the other and at the same time: what a node made in the kernel is removed once
/// the node is gone for good (its data dir deleted), never while it lives, and two live nodes never share a subnet.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class NodeNetworkTests
{
    public NodeNetworkTests() => ContainerRequirements.Check();

    [Fact]
    public async Task Up_with_a_new_data_dir_after_the_old_one_was_deleted_serves_containers_and_nothing_of_the_old_node_remains()
    {
        await using var first = new CanopyProcess();
        await StartWithContainersAsync(first);
        await DeployWebAsync(first, "old");
        var old = NodeKernelState.Of(first.DataDir);
        (await first.StopAsync()).ShouldBe(0);
        old.BridgeExists.ShouldBeTrue("a normal stop keeps the bridge: containers may outlive the node engine");
        await DeleteAsAUserWouldAsync(first.DataDir);

        await using var second = new CanopyProcess();
        await StartWithContainersAsync(second);
        await DeployExampleAsync(second);

        old.BridgeExists.ShouldBeFalse($"the deleted node's bridge {old.Bridge} is removed");
        (await old.RulesAsync()).ShouldBeEmpty();
        File.Exists($"/run/canopy/net/{old.Bridge}.json").ShouldBeFalse("and its record");
    }

    [Fact]
    public async Task A_killed_node_whose_data_dir_was_deleted_leaves_no_process_rule_chain_or_bridge_after_the_next_start()
    {
        await using var first = new CanopyProcess();
        await StartWithContainersAsync(first);
        await DeployWebAsync(first, "crashed");
        var old = NodeKernelState.Of(first.DataDir);
        var chains = await old.ChainsAsync();
        chains.ShouldNotBeEmpty("the running pod's masquerade and DNAT chains");
        var containerd = ContainerdPids(first.DataDir);
        containerd.ShouldNotBeEmpty();

        // Killed: no CNI DEL for its pod, its containerd and container keep running; then a user deletes its data dir.
        Signals.Kill(first.Pid, Signals.SigKill);
        await Wait.UntilAsync(() => Task.FromResult(!Alive(first.Pid)), TimeSpan.FromSeconds(10), "canopy up to die");
        await DeleteAsAUserWouldAsync(first.DataDir);

        await using var second = new CanopyProcess();
        await StartWithContainersAsync(second);
        await DeployWebAsync(second, "after");

        containerd.Where(Alive).ShouldBeEmpty("the dead node's containerd is stopped");
        ContainerdPids(first.DataDir).ShouldBeEmpty("with its shims and containers");
        old.BridgeExists.ShouldBeFalse();
        (await old.RulesAsync()).ShouldBeEmpty();
        foreach (var chain in chains)
        {
            (await NodeKernelState.ChainExistsAsync(chain)).ShouldBeFalse($"chain {chain}");
        }
    }

    [Fact]
    public async Task Two_live_nodes_on_one_machine_get_different_subnets_and_both_serve()
    {
        await using var first = new CanopyProcess();
        await StartWithContainersAsync(first);
        var firstPort = await DeployWebAsync(first, "one");
        await using var second = new CanopyProcess();
        await StartWithContainersAsync(second);
        var secondPort = await DeployWebAsync(second, "two");

        var (a, b) = (NodeKernelState.Of(first.DataDir), NodeKernelState.Of(second.DataDir));
        a.Subnet.ShouldNotBe(b.Subnet, "each cluster would give its first node 10.18.0.0/26; the second avoids what the first routes");
        (await NodeSubnetAsync(second)).ShouldBe(b.Subnet);
        (await ApiClientExtensions.GetTextAsync(firstPort)).ShouldContain("canopy");
        (await ApiClientExtensions.GetTextAsync(secondPort)).ShouldContain("canopy");
    }

    internal static async Task StartWithContainersAsync(CanopyProcess canopy)
    {
        await canopy.StartAsync();
        (await canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        await ContainerRequirements.WaitForContainersAsync(canopy);
    }

    /// <summary>busybox httpd in a container from the local registry on a free host port; returns the port once it answers.</summary>
    internal static Task<int> DeployWebAsync(CanopyProcess canopy, string app)
    {
        var port = FreePort.Block(1);
        return DeployAndGetAsync(canopy, ContainerSlas.Web(canopy.DataDir, app, port), port);
    }

    /// <summary>The README's container example, its published port moved to a free one: tests run beside others.</summary>
    private static Task<int> DeployExampleAsync(CanopyProcess canopy)
    {
        var port = FreePort.Block(1);
        var example = File.ReadAllText(Repo.Example("container-httpd.json"));
        example.ShouldContain("\"18081:8080\"");
        var file = Path.Combine(canopy.DataDir, "container-httpd.json");
        File.WriteAllText(file, example.Replace("\"18081:8080\"", $"\"{port}:8080\"", StringComparison.Ordinal));
        return DeployAndGetAsync(canopy, file, port);
    }

    private static async Task<int> DeployAndGetAsync(CanopyProcess canopy, string sla, int port)
    {
        var deploy = await canopy.CliAsync("app", "deploy", sla, "--watch", "--timeout", "60");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        (await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Length > 0, TimeSpan.FromSeconds(15), $"{sla} on port {port}"))
            .ShouldContain("canopy");
        return port;
    }

    private static async Task<string?> NodeSubnetAsync(CanopyProcess canopy)
    {
        var nodes = Contracts.CanopyJson.Deserialize<List<NodeDocument>>((await canopy.CliAsync("nodes", "-o", "json")).StdOut)!;
        return nodes.Single().Subnet;
    }

    private static List<int> ContainerdPids(string upDataDir)
    {
        var marker = Path.Combine(upDataDir, "node", "containerd") + "/";
        return Directory.EnumerateDirectories("/proc")
            .Select(d => int.TryParse(Path.GetFileName(d), out var pid) ? pid : 0)
            .Where(pid => pid > 0 && Cmdline(pid).Contains(marker, StringComparison.Ordinal))
            .ToList();
    }

    private static string Cmdline(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>rm -rf: whatever is still mounted under it (a running container's root filesystem) stays, the rest goes.</summary>
    private static async Task DeleteAsAUserWouldAsync(string dir)
    {
        using (var rm = System.Diagnostics.Process.Start("rm", ["-rf", dir]))
        {
            await rm.WaitForExitAsync();
        }

        File.Exists(Path.Combine(dir, "node", "containerd", "config.toml")).ShouldBeFalse();
    }
}
