using Canopy.Testing;
using Canopy.Testing.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// The overview's nodes table says which runtimes a node can run and, for one it cannot, why. Its own <c>canopy up</c>
/// whose node is pointed at a wasm host that does not exist, so wasm is unusable with a known reason.
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class NodeRuntimesTests(DashboardStack stack) : IAsyncLifetime
{
    private const string Node = "e2e-node";
    private readonly CanopyProcess _withoutWasmHost = new();
    private string _host = "";

    public Task InitializeAsync()
    {
        _host = Path.Combine(_withoutWasmHost.DataDir, "no-such-canopy-wasm");
        return _withoutWasmHost.StartAsync(environment: new Dictionary<string, string> { ["CANOPY_Node__WasmHostPath"] = _host });
    }

    public Task DisposeAsync() => _withoutWasmHost.DisposeAsync().AsTask();

    [Fact]
    public async Task NodesTable_ListsTheNodesRuntimes_AndShowsWhyWasmIsUnusable()
    {
        // The page shows what the node reported; wait until it has reported its runtimes, as the API serves them.
        using var api = await _withoutWasmHost.ApiAsync();
        var node = (await Wait.ForAsync(api.NodesAsync, nodes => nodes.Any(n => n.Name == Node && n.UnavailableRuntimes?.ContainsKey("wasm") == true),
            TimeSpan.FromSeconds(30), "the node to report wasm unusable")).Single(n => n.Name == Node);
        node.Virtualization.ShouldContain("exec");
        node.Virtualization.ShouldNotContain("wasm");

        await using var tab = await stack.OpenAsync(rootUrl: _withoutWasmHost.RootUrl);
        var page = tab.Page;
        await DashboardLogin.OpenAndLogInAsync(page, DashboardStack.Admin, CanopyProcess.AdminPassword);

        var nodes = page.GetByRole(AriaRole.Table, new() { Name = "Nodes", Exact = true });
        await Expect(nodes.GetByRole(AriaRole.Columnheader, new() { Name = "Runtimes", Exact = true })).ToBeVisibleAsync();
        var row = nodes.GetByRole(AriaRole.Row).Filter(new() { Has = page.GetByRole(AriaRole.Rowheader, new() { Name = Node, Exact = true }) });
        var runtimes = row.Locator("td[data-field='runtimes']");

        // Usable runtimes first, as one list (exec, and whatever else this machine offers: container, vm).
        await Expect(runtimes).ToContainTextAsync(string.Join(", ", node.Virtualization));
        // The unusable one is said in words, not only by colour: its name, "unusable" and the node's reason, as visible text
        // (so a screen reader reads it with the cell).
        var unusable = runtimes.GetByText($"wasm unusable: the wasm host {_host} is not installed", new() { Exact = false });
        await Expect(unusable).ToBeVisibleAsync();
        await Expect(unusable).ToContainTextAsync("set the node's WasmHostPath");
        await Screenshots.SaveAsync(page, "overview-node-runtimes");
    }
}
