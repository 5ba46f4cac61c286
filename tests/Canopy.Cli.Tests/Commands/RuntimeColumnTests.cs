using Canopy.Cli.Commands;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Tests.Commands;

/// <summary><c>canopy nodes</c>' RUNTIMES column: what a node can run, then what it has but cannot use (the reasons follow the table).</summary>
public sealed class RuntimeColumnTests
{
    [Fact]
    public void Runtimes_ListTheUsableOnes_ThenTheUnusable()
    {
        var node = new NodeDocument
        {
            Id = "n1",
            Name = "edge-1",
            Virtualization = ["exec", "wasm"],
            UnavailableRuntimes = new Dictionary<string, string> { ["vm"] = "qemu-system-x86_64 is not installed", ["container"] = "no static busybox" },
        };

        var rows = NodeTables.Rows([node, new NodeDocument { Id = "n2", Name = "edge-2", Virtualization = ["container", "exec", "wasm", "vm"] }]).ToList();

        var runtimes = Array.IndexOf(NodeTables.Headers, "RUNTIMES");
        rows.Select(r => r[runtimes]).ShouldBe(["exec,wasm (container,vm unusable)", "container,exec,wasm,vm"]);
    }

    [Fact]
    public void Runtimes_NoneUsable_IsADashAndTheUnusable()
    {
        var node = new NodeDocument { Id = "n1", Name = "edge-1", UnavailableRuntimes = new Dictionary<string, string> { ["exec"] = "x" } };

        NodeTables.Runtimes(node).ShouldBe("- (exec unusable)");
    }
}
