using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// A node without the wasm host (<c>canopy-wasm</c>): <c>canopy nodes</c> shows wasm as unusable with the reason, and a wasm
/// service waits in the negative state naming wasm and that reason, shown by <c>canopy instance list</c>. The node is pointed
/// at a host that does not exist instead of removing the one the build put next to canopy.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MissingWasmHostTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();
    private string _host = "";

    public MissingWasmHostTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        _host = Path.Combine(_canopy.DataDir, "no-such-canopy-wasm");
        var config = Path.Combine(_canopy.DataDir, "canopy.json");
        await File.WriteAllTextAsync(config, $$"""{ "Node": { "WasmHostPath": "{{_host}}" } }""");
        await _canopy.StartAsync(extraArgs: ["--config", config]);
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync() => await _canopy.DisposeAsync();

    [Fact]
    public async Task The_node_shows_wasm_unusable_with_why_and_a_wasm_service_waits_naming_wasm_and_the_reason()
    {
        var nodes = await Wait.ForAsync(() => _canopy.CliAsync("nodes"), r => r.StdOut.Contains("cannot run wasm"),
            TimeSpan.FromSeconds(30), "canopy nodes to say why the node cannot run wasm");
        nodes.StdOut.ShouldContain("wasm unusable)");
        nodes.StdOut.ShouldContain($"node e2e-node cannot run wasm: the wasm host {_host} is not installed");

        var path = Slas.Write(_canopy.DataDir, "wasm.json", """
            {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"wasmapp","application_namespace":"e2e","microservices":[
              {"microservice_name":"web","microservice_namespace":"e2e","virtualization":"wasm","code":"http://127.0.0.1:9/hello.wasm",
               "memory":32,"vcpus":0.5}]}]}
            """);
        var deploy = await _canopy.CliAsync("app", "deploy", path);
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        deploy.StdErr.ShouldNotContain("virtualization");

        using var api = await _canopy.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("wasmapp"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == InstanceStatus.NoActiveClusterWithCapacity &&
                 s.InstanceList[0].StatusDetail?.Contains("no usable wasm runtime") == true,
            TimeSpan.FromSeconds(30), "the placement to fail naming wasm and why");
        var detail = service.InstanceList[0].StatusDetail!;
        detail.ShouldStartWith("no cluster offers runtime wasm (clusters offer ");
        detail.ShouldContain($"has no usable wasm runtime (node e2e-node: the wasm host {_host} is not installed");

        var instances = await _canopy.CliAsync("instance", "list", "-o", "json");
        instances.StdOut.ShouldContain("no cluster offers runtime wasm");
        (await _canopy.CliAsync("app", "delete", "wasmapp", "--wait")).ExitCode.ShouldBe(0);
    }
}
