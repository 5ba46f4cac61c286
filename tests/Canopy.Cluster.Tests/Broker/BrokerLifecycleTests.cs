using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Tests.Support;

namespace Canopy.Cluster.Tests.Broker;

public sealed class BrokerLifecycleTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Stop_Cluster_StopsItsBroker()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root);
        var pid = cluster.BrokerPid;
        IsMosquitto(pid).ShouldBeTrue();
        File.Exists(Path.Combine(cluster.Options.DataDir, "mosquitto", "mosquitto.pid")).ShouldBeTrue();

        await cluster.StopAsync();

        IsRunning(pid).ShouldBeFalse($"mosquitto pid {pid} still runs after the cluster stopped");
        File.Exists(Path.Combine(cluster.Options.DataDir, "mosquitto", "mosquitto.pid")).ShouldBeFalse();
    }

    [Fact]
    public async Task Start_PortInUse_FailsNamingPortAndFlag()
    {
        await using var root = await FakeRoot.StartAsync();
        using var squatter = new TcpListener(IPAddress.Loopback, 0);
        squatter.Start();
        var port = ((IPEndPoint)squatter.LocalEndpoint).Port;

        var error = await Should.ThrowAsync<BrokerStartException>(
            () => TestCluster.StartAsync(output, root, o => o.Mqtt.Port = port, waitForRoot: false));

        error.Message.ShouldContain($"port {port}");
        error.Message.ShouldContain("--mqtt-port");
    }

    [Fact]
    public async Task Start_MosquittoMissing_SaysHowToInstallIt()
    {
        await using var root = await FakeRoot.StartAsync();

        var error = await Should.ThrowAsync<BrokerStartException>(
            () => TestCluster.StartAsync(output, root, o => o.Mqtt.MosquittoPath = "/nonexistent/mosquitto", waitForRoot: false));

        error.Message.ShouldBe("mosquitto not found: apt-get install mosquitto (or ./canopy up installs it)");
    }

    [Fact]
    public async Task Start_BrokerLeftByCrashedRun_IsKilledAndReplaced()
    {
        await using var root = await FakeRoot.StartAsync();
        var options = TestCluster.DefaultOptions(root);
        await using (var first = await TestCluster.StartAsync(output, root, o => (o.DataDir, o.Mqtt.Port) = (options.DataDir, options.Mqtt.Port)))
        {
            await first.StopAsync();

            // What a crash leaves: a broker of ours still running from the generated config, and its pid file.
            var files = new MosquittoFiles(options.DataDir);
            using var stale = Process.Start(new ProcessStartInfo("mosquitto", ["-c", files.Config]) { RedirectStandardError = true })!;
            try
            {
                await File.WriteAllTextAsync(files.PidFile, stale.Id.ToString());
                await Waits.UntilAsync(() => Task.FromResult(Accepts(options.Mqtt.Port)), "the stale broker listens");

                await using var second = await TestCluster.StartAsync(
                    output, root, o => (o.DataDir, o.Mqtt.Port) = (options.DataDir, options.Mqtt.Port));

                await stale.WaitForExitAsync().WithDeadline("the stale broker exits");
                second.BrokerPid.ShouldNotBe(stale.Id);
            }
            finally
            {
                if (!stale.HasExited)
                {
                    stale.Kill();
                }
            }
        }
    }

    private static bool Accepts(int port)
    {
        try
        {
            using var client = new TcpClient();
            client.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static bool IsRunning(int pid) => File.Exists($"/proc/{pid}/cmdline");

    private static bool IsMosquitto(int pid) => IsRunning(pid) && File.ReadAllText($"/proc/{pid}/cmdline").Contains("mosquitto");
}
