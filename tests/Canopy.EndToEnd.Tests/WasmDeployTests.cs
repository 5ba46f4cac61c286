using System.Diagnostics;
using System.Net;
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
    private readonly HttpListener _modules = new();
    private readonly CancellationTokenSource _stop = new();
    private byte[] _module = [];
    private Task _serving = Task.CompletedTask;
    private int _modulesPort;

    public WasmDeployTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        _module = await BuildAsync(Path.Combine(Repo.Root, "examples", "wasm", "http.wat"), Path.Combine(_canopy.DataDir, "http.wasm"));
        _modulesPort = FreePort.Block(1);
        _modules.Prefixes.Add($"http://127.0.0.1:{_modulesPort}/");
        _modules.Start();
        _serving = ServeAsync();

        // The wasm host opens its module and status file by absolute path as the instance's own user, who must pass through
        // the data dir's parents (the node logs "HomeUnreachable" otherwise); mktemp's 0700 would stop it.
        File.SetUnixFileMode(_canopy.DataDir, File.GetUnixFileMode(_canopy.DataDir) | UnixFileMode.OtherExecute);
        await _canopy.StartAsync();
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        await _canopy.DisposeAsync();
        await _stop.CancelAsync();
        _modules.Close();
        await _serving;
        _stop.Dispose();
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
              {"microservice_name":"web","microservice_namespace":"e2e","virtualization":"wasm","code":"http://127.0.0.1:{{_modulesPort}}/http.wasm",
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

    private static async Task<byte[]> BuildAsync(string source, string output)
    {
        var wat2wasm = new[] { "/usr/bin/wat2wasm", "/usr/local/bin/wat2wasm" }.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("wat2wasm is missing: install the Debian package wabt (scripts/install-deps.sh test does).");
        var psi = new ProcessStartInfo(wat2wasm) { RedirectStandardError = true };
        psi.ArgumentList.Add(source);
        psi.ArgumentList.Add("-o");
        psi.ArgumentList.Add(output);
        using var process = Process.Start(psi)!;
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"wat2wasm {source}: {errors}");
        return await File.ReadAllBytesAsync(output);
    }

    /// <summary>Serves the module at any path until disposed.</summary>
    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _modules.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            context.Response.ContentType = "application/wasm";
            context.Response.ContentLength64 = _module.Length;
            await context.Response.OutputStream.WriteAsync(_module);
            context.Response.Close();
        }
    }
}
