using System.Net;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>What a user can get wrong gets a clear message, a non-zero exit code, no stack trace, and changes nothing.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class BadInputTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();

    public BadInputTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        await _canopy.StartAsync();
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
    }

    public Task DisposeAsync() => _canopy.DisposeAsync().AsTask();

    [Theory]
    [InlineData("malformed.json", "{ \"sla_version\": ", "not valid JSON")]
    [InlineData("malformed.yaml", "sla_version: v2.0\napplications: [\n", "not valid YAML")]
    [InlineData("badvirt.json", """{"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"a","application_namespace":"b","microservices":[{"microservice_name":"m","microservice_namespace":"n","virtualization":"wsam","code":"x"}]}]}""", "did you mean \"wasm\"")]
    [InlineData("badname.json", """{"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"test.special.char","application_namespace":"b","microservices":[]}]}""", "application_name")]
    [InlineData("badtype.json", """{"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"a","application_namespace":"b","microservices":[{"microservice_name":"m","microservice_namespace":"n","virtualization":"exec","cmd":["true"],"memory":"lots"}]}]}""", "memory")]
    [InlineData("missing.json", """{"customerID":"Admin","applications":[]}""", "sla_version")]
    public async Task Deploy_BadDescriptor_ClearError_NothingStored(string file, string content, string mentions)
    {
        var path = Slas.Write(_canopy.DataDir, file, content);
        var result = await _canopy.CliAsync("app", "deploy", path);

        result.ExitCode.ShouldNotBe(0);
        result.StdErr.ShouldContain(mentions);
        result.StdErr.ShouldNotContain("   at ");
        (await _canopy.CliAsync("app", "list", "-o", "json")).StdOut.Trim().ShouldBe("[]");
    }

    [Fact]
    public async Task Deploy_OakestraFieldsCanopyDoesNotHonour_AreAcceptedWithAWarningNamingEach()
    {
        var path = Slas.Write(_canopy.DataDir, "oakestra.json", """
            {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"oak","application_namespace":"b","microservices":[
              {"microservice_name":"m","microservice_namespace":"n","virtualization":"crosvm","code":"x","memory":16,"vcpus":1,
               "vgpus":1,"privileged":true,"addresses":{"rr_ip_v6":"fdff:2000::10"}}]}]}
            """);

        var result = await _canopy.CliAsync("app", "deploy", path, "--no-start");

        result.ExitCode.ShouldBe(0, result.ToString());
        foreach (var field in (string[])["virtualization", "vgpus", "privileged", "addresses.rr_ip_v6"])
        {
            result.StdErr.ShouldContain($"warning: applications[0].microservices[0].{field}: ");
        }
    }

    [Fact]
    public async Task Deploy_Watch_OnARuntimeNoClusterOffers_StopsWithTheReason_InsteadOfWaitingOutItsTimeout()
    {
        var path = Slas.Write(_canopy.DataDir, "crosvm.json", """
            {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"uni","application_namespace":"b","microservices":[
              {"microservice_name":"m","microservice_namespace":"n","virtualization":"crosvm","code":"x","memory":16,"vcpus":1}]}]}
            """);

        var result = await _canopy.CliAsync("app", "deploy", path, "--watch", "--timeout", "120");

        result.ExitCode.ShouldNotBe(0);
        result.StdErr.ShouldContain("Not placed after 15 s: uni.b.m.n instance 0: NoActiveClusterWithCapacity");
        result.StdErr.ShouldContain("no cluster offers runtime crosvm");
    }

    [Fact]
    public async Task Deploy_OnAnArchitectureNoNodeHas_WaitsInTheNegativeStateNamingIt_AndTheTablesShowIt()
    {
        var path = Slas.Write(_canopy.DataDir, "riscv.json", """
            {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"rv","application_namespace":"b","microservices":[
              {"microservice_name":"m","microservice_namespace":"n","virtualization":"exec","cmd":["sleep","600"],"memory":16,"vcpus":0.1,
               "arch":["riscv64"]}]}]}
            """);

        var result = await _canopy.CliAsync("app", "deploy", path, "--watch", "--timeout", "120");

        result.ExitCode.ShouldNotBe(0);
        result.StdErr.ShouldContain("no cluster has architecture riscv64 (clusters have "); // the machine's own architecture follows
        var instances = await _canopy.CliAsync("instance", "list", "-o", "json");
        instances.ExitCode.ShouldBe(0, instances.ToString());
        instances.StdOut.ShouldContain("no cluster has architecture riscv64");
        var services = await _canopy.CliAsync("service", "list");
        services.StdOut.ShouldContain("NoActiveClusterWithCapacity");
    }

    [Fact]
    public async Task UnknownService_And_MissingFile_ClearErrors()
    {
        var scale = await _canopy.CliAsync("service", "scale", "nope", "2");
        scale.ExitCode.ShouldNotBe(0);
        scale.StdErr.ShouldContain("No service 'nope'");

        var missing = await _canopy.CliAsync("app", "deploy", "/nonexistent.json");
        missing.ExitCode.ShouldNotBe(0);
        missing.StdErr.ShouldContain("No such file");

        using var api = await _canopy.ApiAsync();
        var response = await api.GetAsync("api/service/000000000000000000000000");
        response.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
    }

    [Fact]
    public async Task PortAlreadyInUse_InstanceFailed_WithReason()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Any, FreePort.Block(1));
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var deploy = await _canopy.CliAsync("app", "deploy", Slas.ExecWeb(_canopy.DataDir, port, "clash"));
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        using var api = await _canopy.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("clash"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status == Canopy.Core.States.InstanceStatus.Failed, TimeSpan.FromSeconds(10), "FAILED");
        service.InstanceList[0].StatusDetail.ShouldNotBeNull().ShouldContain($"{port}");
    }
}
