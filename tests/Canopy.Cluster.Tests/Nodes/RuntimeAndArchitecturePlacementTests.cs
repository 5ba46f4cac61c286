using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Canopy.Core.Resources;
using Canopy.Core.States;

namespace Canopy.Cluster.Tests.Nodes;

/// <summary>The cluster places a service only on a worker that offers its runtime and has one of its architectures, and says why not.</summary>
public sealed class RuntimeAndArchitecturePlacementTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Workers_are_chosen_by_runtime_and_architecture_and_a_refusal_names_what_is_missing()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);
        await using var x86 = await FakeNode.StartAsync(cluster, "x86", new FakeNodeOptions { Virtualization = ["exec", "vm"] });
        await using var pi = await FakeNode.StartAsync(cluster, "pi", new FakeNodeOptions
        {
            Architecture = "arm64",
            Information = i => i with { UnavailableRuntimes = new Dictionary<string, string> { ["wasm"] = "wasmtime is not installed" } },
        });

        // The nodes list and the aggregate for the root both carry why pi cannot run wasm.
        await Waits.UntilAsync(async () => (await cluster.NodesAsync()).Any(n => n.Name == "pi" && n.UnavailableRuntimes?.ContainsKey("wasm") == true),
            "pi's wasm reason in the nodes list");
        var aggregate = (await root.WaitForAsync(LinkMessageTypes.Resources,
            m => m.Read<ClusterResources>().Resources[ResourceKeys.UnavailableRuntimes] is not null, TimeSpan.FromSeconds(10))).Read<ClusterResources>().Resources;
        aggregate[ResourceKeys.UnavailableRuntimes]!["wasm"]!.GetValue<string>().ShouldBe("node pi: wasmtime is not installed");

        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(Specs.Exec() with { Virtualization = "wasm", Code = "https://example.com/m.wasm" }, 0));
        var wasm = await root.WaitForStatusAsync(r => r.Status == InstanceStatus.NoQualifiedWorkerFound, "the wasm instance refused");
        wasm.StatusDetail.ShouldStartWith("no worker qualifies for 0.5 vcpus / 100 MB: ");
        wasm.StatusDetail.ShouldContain("x86 has no wasm runtime");
        wasm.StatusDetail.ShouldContain("pi has no usable wasm runtime (wasmtime is not installed)");

        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(Specs.Exec() with { Arch = ["riscv64"] }, 0));
        var riscv = await root.WaitForStatusAsync(r => r.StatusDetail?.Contains("riscv64", StringComparison.Ordinal) == true, "the riscv64 instance refused");
        riscv.Status.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        riscv.StatusDetail.ShouldBe("no worker has architecture riscv64 (workers have amd64, arm64)");

        var arm = Specs.Exec() with { Arch = ["aarch64"] };
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(arm, 0));
        (await root.WaitForStatusAsync(r => r.ServiceId == arm.ServiceId && r.Status == InstanceStatus.Running, "the arm64 instance running"))
            .NodeId.ShouldBe(pi.Id);

        // privileged means nothing to a guest: it is placed on a node that allows no privileged workloads.
        var vm = Specs.Exec() with { Virtualization = "vm", Code = "https://example.com/vmlinuz", Arch = ["amd64"], Privileged = true };
        await root.SendAsync(LinkMessageTypes.Deploy, new DeployInstance(vm, 0));
        (await root.WaitForStatusAsync(r => r.ServiceId == vm.ServiceId && r.Status == InstanceStatus.Running, "the vm instance running"))
            .NodeId.ShouldBe(x86.Id);
    }
}
