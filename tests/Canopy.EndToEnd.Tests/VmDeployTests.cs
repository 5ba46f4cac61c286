using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// A QEMU guest through the whole control plane, asked for by Oakestra's name (<c>unikernel</c>): `canopy up`'s node offers
/// vm, the root and the cluster place it, and the project's test guest (scripts/vm-guest.sh, served over HTTP here) boots,
/// answers on the SLA's port and prints its console to the instance log; deleting it leaves no QEMU.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class VmDeployTests : IAsyncLifetime
{
    private readonly CanopyProcess _canopy = new();
    private FileServer _kernels = null!;

    public VmDeployTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        var guest = await VmGuest.GetAsync();
        _kernels = new FileServer();
        _kernels.Add("guest.tar.gz", await File.ReadAllBytesAsync(guest.Bundle));
        await _canopy.StartAsync();
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
    }

    public async Task DisposeAsync()
    {
        await _canopy.DisposeAsync();
        await _kernels.DisposeAsync();
    }

    [Fact]
    public async Task A_unikernel_service_boots_in_qemu_on_the_node_answers_on_its_port_and_leaves_nothing_when_deleted()
    {
        var nodes = await Wait.ForAsync(
            async () => CanopyJson.Deserialize<List<NodeDocument>>((await _canopy.CliAsync("nodes", "-o", "json")).StdOut) ?? [],
            n => n.Any(node => node.Virtualization.Contains("vm")), TimeSpan.FromSeconds(60), "the node to offer vm");
        nodes.ShouldHaveSingleItem();

        var port = FreePort.Block(1);
        var path = Slas.Write(_canopy.DataDir, "guest.json", $$"""
            {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"guest","application_namespace":"e2e","microservices":[
              {"microservice_name":"web","microservice_namespace":"e2e","virtualization":"unikernel","code":"{{_kernels.Url("guest.tar.gz")}}",
               "arch":["amd64"],"memory":128,"vcpus":1,"port":"{{port}}:80"}]}]}
            """);
        var deploy = await _canopy.CliAsync("app", "deploy", path);
        deploy.ExitCode.ShouldBe(0, deploy.ToString());

        using var api = await _canopy.ApiAsync();
        var service = await Wait.ForAsync(() => api.ServiceByNameAsync("guest"),
            s => s.InstanceList.Count == 1 && s.InstanceList[0].Status is InstanceStatus.Running or InstanceStatus.Failed,
            TimeSpan.FromSeconds(120), "the guest to boot");
        var instance = service.InstanceList[0];
        instance.Status.ShouldBe(InstanceStatus.Running, instance.StatusDetail);
        instance.NodeName.ShouldBe("e2e-node");

        (await Wait.ForAsync(() => ApiClientExtensions.GetTextAsync(port), t => t.Length > 0, TimeSpan.FromSeconds(10), "the guest's page"))
            .ShouldContain(VmGuest.PageMark);
        var logs = await _canopy.CliAsync("logs", "guest.e2e.web.e2e");
        logs.StdOut.ShouldContain(VmGuest.ReadyLine, Case.Sensitive, logs.ToString());

        var qemuName = $"canopy-{service.MicroserviceId}.0";
        Canopy.Testing.Topology.PidsWithCommandLine(qemuName).ShouldNotBeEmpty();
        (await _canopy.CliAsync("app", "delete", "guest", "--wait")).ExitCode.ShouldBe(0);
        await Wait.UntilAsync(() => Task.FromResult(Canopy.Testing.Topology.PidsWithCommandLine(qemuName).Count == 0), TimeSpan.FromSeconds(20), "QEMU to end");
        Directory.Exists(Path.Combine(_canopy.DataDir, "node", "vms", $"{service.MicroserviceId}.0")).ShouldBeFalse();
    }
}
