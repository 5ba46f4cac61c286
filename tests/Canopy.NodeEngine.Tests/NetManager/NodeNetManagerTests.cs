using Canopy.Contracts;
using Canopy.Contracts.Mqtt;
using Canopy.Contracts.Net;
using Canopy.Core.States;
using Canopy.NodeEngine.ClusterLink;
using Canopy.NodeEngine.Containerd;
using Canopy.NodeEngine.Network;
using Canopy.NodeEngine.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Tests.NetManager;

/// <summary>
/// The node's net manager in the whole node engine (exec only, as <c>--no-containers</c>), against a real broker and the real
/// kernel: the retained table the cluster publishes programs the node's nftables table and its instances' names; leave and the
/// start-up cleanup of dead nodes remove the overlay.
/// </summary>
public sealed class NodeNetManagerTests : IAsyncLifetime
{
    private readonly string _dataDir;
    private readonly List<IHost> _hosts = [];
    private TestBroker _broker = null!;
    private FakeCluster _cluster = null!;
    private ClusterObserver _observer = null!;

    public NodeNetManagerTests()
    {
        NetPrerequisites.Check();
        _dataDir = Directory.CreateTempSubdirectory("canopy-ne-net-").FullName;
    }

    private string Key => NodeKey.Short(_dataDir);

    private string Device => "cnv" + Key;

    private string Table => "canopy_" + Key;

    public async Task InitializeAsync()
    {
        _broker = await TestBroker.StartAsync();
        _cluster = new FakeCluster(_broker.Port, ContainerdFixture.FreeSubnet());
        _observer = await ClusterObserver.ConnectAsync(_broker.Port);
    }

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync(TimeSpan.FromSeconds(10));
            host.Dispose();
        }

        await _observer.DisposeAsync();
        await _cluster.DisposeAsync();
        await _broker.DisposeAsync();
        Canopy.Testing.MachineCleanup.ForDataDir(_dataDir);
    }

    private NodeEngineOptions Options() => new()
    {
        DataDir = _dataDir,
        ClusterUrl = _cluster.Url,
        JoinToken = FakeCluster.Token,
        Name = "net-1",
        InformationInterval = TimeSpan.FromMilliseconds(200),
        StopGracePeriod = TimeSpan.FromSeconds(2),
        StartContainerd = false,
    };

    private async Task<(IHost Host, string NodeId)> StartNodeAsync()
    {
        var host = NodeEngineHost.Create(Options(), b => b.Logging.ClearProviders());
        _hosts.Add(host);
        await host.StartAsync();
        var readiness = host.Services.GetRequiredService<NodeReadiness>();
        await readiness.Connected.WaitAsync(TimeSpan.FromSeconds(20));
        return (host, readiness.NodeId!);
    }

    [Fact]
    public async Task A_retained_table_programs_the_service_ip_and_the_names_a_running_exec_instance_resolves()
    {
        var (_, id) = await StartNodeAsync();
        var overlay = _cluster.Registrations.Last().Overlay.ShouldNotBeNull("an exec-only node has its overlay too");
        overlay.Mtu.ShouldBeGreaterThan(0);
        Directory.Exists($"/sys/class/net/{Device}").ShouldBeTrue();
        var info = await _observer.WaitForAsync<NodeInformation>(NodeTopics.Information(id), i => i.Overlay is not null, "the overlay in information");
        info.Overlay.ShouldBe(overlay);

        // A server (busybox httpd on its host port) and a client that fetches http://server/ (port 80 of the service IP).
        var port = Ports.Free();
        var server = ExecHarness.Shell(ExecHarness.NewServiceId(), "mkdir -p www; echo hello-from-server >www/index.html; exec busybox httpd -f -p $PORT -h www")
            with
        { AppName = "shop", AppNs = "test", ServiceName = "server", ServiceNs = "test", Port = $"{port}:80" };
        var client = ExecHarness.Shell(ExecHarness.NewServiceId(), "while :; do timeout 2 busybox wget -qO- http://server/ 2>&1; sleep 0.2; done")
            with
        { AppName = "shop", AppNs = "test", ServiceName = "client", ServiceNs = "test" };
        await _observer.SendAsync(NodeTopics.ControlDeploy(id), new DeployCommand(server, 0));
        await _observer.SendAsync(NodeTopics.ControlDeploy(id), new DeployCommand(client, 0));
        var running = await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == server.ServiceId && r.Status == InstanceStatus.Running, "the server RUNNING");
        running.InstanceIp.ShouldBe(info.Ip);
        await _observer.WaitForAsync<InstanceReport>(
            NodeTopics.Job(id), r => r.ServiceId == client.ServiceId && r.Status == InstanceStatus.Running, "the client RUNNING");
        var clientDir = Path.Combine(_dataDir, "instances", $"{client.ServiceId}.0");
        var hostsFile = Path.Combine(clientDir, "hosts");
        var inode = await InodeAsync(hostsFile);
        (await File.ReadAllTextAsync(hostsFile)).ShouldNotContain("server");

        var serviceIp = $"10.30.{Random.Shared.Next(1, 250)}.{Random.Shared.Next(1, 250)}";
        await _observer.PublishRetainedAsync(NodeTopics.NetTable(id), new NodeNetTable
        {
            Version = 1,
            Services =
            [
                new NetService
                {
                    ServiceId = server.ServiceId, AppName = "shop", AppNs = "test", ServiceName = "server", ServiceNs = "test",
                    JobName = "shop.test.server.test", RrIp = serviceIp,
                    Instances = [NetInstances.Entry(server.Virtualization, server.Port, 0, id, running.InstanceIp, info.Ip)!],
                },
            ],
        });

        await Eventually.UntilAsync(async () => (await NftAsync("list", "table", "ip", Table)).Output, o => o!.Contains(serviceIp), $"{serviceIp} in table ip {Table}");
        await Eventually.Until(
            () => File.ReadAllText(Path.Combine(clientDir, "stdout.log")), log => log!.Contains("hello-from-server"),
            "the client reaching the server by name, through the service IP", TimeSpan.FromSeconds(20));
        var names = await File.ReadAllTextAsync(hostsFile);
        names.ShouldContain($"{serviceIp}\tserver server.shop shop.test.server.test");
        (await InodeAsync(hostsFile)).ShouldBe(inode, "rewritten in place: the instance's bind mount holds the inode");
        (await File.ReadAllTextAsync("/etc/hosts")).ShouldNotContain("server.shop", Case.Sensitive, "the machine's own /etc/hosts is untouched");

        // The cluster forgets the node: an empty retained message withdraws the routes, rules and names.
        await _observer.ClearRetainedAsync(NodeTopics.NetTable(id));

        await Eventually.UntilAsync(async () => (await NftAsync("list", "table", "ip", Table)).Output, o => !o!.Contains(serviceIp), "the service IP gone");
        await Eventually.True(() => !File.ReadAllText(hostsFile).Contains("server"), "the name gone");
    }

    [Fact]
    public async Task Leave_removes_the_overlay_device_and_the_nftables_table()
    {
        var (first, _) = await StartNodeAsync();
        _cluster.Registrations.Last().Overlay.ShouldNotBeNull();
        await first.StopAsync();
        Directory.Exists($"/sys/class/net/{Device}").ShouldBeTrue("a stop keeps the overlay for the instances that outlive it");
        (await NftAsync("list", "table", "ip", Table)).ExitCode.ShouldBe(0);

        var result = await NodeLeave.RunAsync(NodeEngineHost.Create(Options(), b => b.Logging.ClearProviders()), CancellationToken.None);

        result.DataDir.ShouldBe(_dataDir);
        Directory.Exists($"/sys/class/net/{Device}").ShouldBeFalse();
        (await NftAsync("list", "table", "ip", Table)).ExitCode.ShouldNotBe(0);
    }

    [Fact]
    public async Task A_starting_node_removes_the_overlay_of_a_node_whose_data_dir_is_gone()
    {
        var (first, _) = await StartNodeAsync();
        _cluster.Registrations.Last().Overlay.ShouldNotBeNull();
        await first.StopAsync();
        first.Dispose(); // as its process ends: its lock goes
        _hosts.Remove(first);
        Directory.Delete(_dataDir, recursive: true);

        var other = new NodeEngineOptions { DataDir = Directory.CreateTempSubdirectory("canopy-ne-net-other-").FullName };
        var network = new HostNetwork(other, new NodeSubnet(other));
        try
        {
            using (network.TryClaim(out var problem).ShouldNotBeNull(problem))
            {
                Directory.Exists($"/sys/class/net/{Device}").ShouldBeFalse();
                (await NftAsync("list", "table", "ip", Table)).ExitCode.ShouldNotBe(0);
            }
        }
        finally
        {
            Canopy.Testing.MachineCleanup.ForDataDir(other.DataDir);
        }
    }

    private static async Task<string> InodeAsync(string path) => (await HostCommand.RunAsync("/usr/bin/stat", ["-c", "%i", path])).Output.Trim();

    private static Task<(int ExitCode, string Output)> NftAsync(params string[] args) => HostCommand.RunAsync(NetPrerequisites.Nft, args);
}
