using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// A wasm service through the whole control plane: `canopy up`'s node offers wasm, the root and the cluster place the SLA's
/// wasm service on it, and its module (built from examples/wasm/http.wat with wat2wasm, served over HTTP here) answers on the
/// SLA's port.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class WasmDeployTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();
    private FileServer _modules = null!;

    public WasmDeployTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        _modules = new FileServer();
        _modules.Add("http.wasm", WasmModules.Bytes("http"));

        // The data dir stays as mktemp made it (0700), like ~/.canopy under /root: wasm must run there too.
        await _canopy.StartAsync();
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        await _canopy.DisposeAsync();
        await _modules.DisposeAsync();
    }

    [Fact]
    public async Task A_wasm_service_is_placed_on_the_node_that_offers_wasm_and_answers_on_its_port()
    {
        var nodes = await Wait.ForAsync(
            async () => CanopyJson.Deserialize<List<NodeDocument>>((await _canopy.CliAsync("nodes", "-o", "json")).StdOut) ?? [],
            n => n.Any(node => node.Virtualization.Contains("wasm")), TimeSpan.FromSeconds(30), "the node to offer wasm");
        nodes.ShouldHaveSingleItem().UnavailableRuntimes?.ContainsKey("wasm").ShouldNotBe(true);

        var port = FreePort.Block(1);
        var path = Slas.Write(_canopy.DataDir, "wasm.json", $$"""
            {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"wasmweb","application_namespace":"e2e","microservices":[
              {"microservice_name":"web","microservice_namespace":"e2e","virtualization":"wasm","code":"{{_modules.Url("http.wasm")}}",
               "environment":["GREETING=hello from the SLA"],"memory":128,"vcpus":0.5,"port":"{{port}}"}]}]}
            """);
        var deploy = await _canopy.CliAsync("app", "deploy", path);
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        deploy.StdErr.ShouldNotContain("virtualization");

        using var api = await _canopy.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("wasmweb"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status is InstanceStatus.Running or InstanceStatus.Failed,
            TimeSpan.FromSeconds(60), "the wasm instance to run");
        if (service.InstanceList[0].Status != InstanceStatus.Running)
        {
            var logs = await _canopy.CliAsync("logs", "wasmweb.e2e.web.e2e");
            service.InstanceList[0].Status.ShouldBe(InstanceStatus.Running, $"{service.InstanceList[0].StatusDetail}\n{logs}");
        }

        service.InstanceList[0].NodeName.ShouldBe("e2e-node");

        var page = await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Contains("hello from wasm"),
            TimeSpan.FromSeconds(10), "the module's page");
        page.ShouldContain("greeting: hello from the SLA");
        (await _canopy.CliAsync("app", "delete", "wasmweb", "--wait")).ExitCode.ShouldBe(0);
    }
}
