using System.Net.Http.Headers;
using System.Net.Http.Json;
using Canopy.Cluster.Auth;
using Canopy.Cluster.Broker;
using Canopy.Cluster.Tls;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Tests.Support;

/// <summary>
/// A cluster through the ASP.NET test host, with its real Mosquitto child on a free port, a fresh data dir, and (unless told
/// otherwise) registered at a <see cref="FakeRoot"/>. Disposing stops it (and so its broker) and deletes the data dir.
/// </summary>
internal sealed class TestCluster : IAsyncDisposable
{
    public const string NodeToken = "node-join-token";

    private bool _stopped;

    private TestCluster(WebApplication app, ClusterOptions options, FakeRoot root)
    {
        App = app;
        Options = options;
        Root = root;
    }

    public WebApplication App { get; }
    public ClusterOptions Options { get; }
    public FakeRoot Root { get; }
    /// <summary>Carries the cluster's admin token.</summary>
    public HttpClient Http { get; private set; } = null!;

    /// <summary>The cluster's own admin credential, read from its data dir as an operator would.</summary>
    public string AdminToken => File.ReadAllText(Services.GetRequiredService<ClusterAdminToken>().File).Trim();

    /// <summary>A client without any credential (through the test host, or over HTTPS with the cluster's CA pinned on Kestrel).</summary>
    public HttpClient Anonymous() => Kestrel ? PinnedClient() : App.GetTestServer().CreateClient();

    /// <summary>Serves on a real Kestrel at <see cref="ClusterOptions.Listen"/> instead of the test host.</summary>
    public bool Kestrel { get; private init; }

    /// <summary>An HTTPS client of the Kestrel-served cluster that trusts exactly the cluster's CA, as a node does.</summary>
    public HttpClient PinnedClient() => new(Canopy.Testing.ClusterCa.PinnedHandler(Pin)) { BaseAddress = new Uri(Options.Listen) };
    public IServiceProvider Services => App.Services;

    /// <summary>TLS for a test's client of the cluster's broker: the cluster's CA pinned, as a node pins it from its join token.</summary>
    public MqttTlsOptions? BrokerTls => Services.GetRequiredService<ClusterTls>().BrokerClientTls(Options.Mqtt);

    /// <summary>The pin of the cluster's CA (what node join tokens carry).</summary>
    public string Pin => Services.GetRequiredService<ClusterTls>().Pin;

    /// <summary>The broker's pid, from the pid file the cluster keeps beside its config.</summary>
    public int BrokerPid => Services.GetRequiredService<MosquittoProcess>().Pid ?? throw new InvalidOperationException("broker not running");

    public static ClusterOptions DefaultOptions(FakeRoot root) => new()
    {
        // Only a name: the cluster creates it, and a test that points DataDir elsewhere leaves nothing behind.
        DataDir = Path.Combine(Path.GetTempPath(), "canopy-cluster-test-" + Guid.NewGuid().ToString("N")[..12]),
        Name = "test-cluster",
        RootUrl = root.Url,
        RootJoinToken = FakeRoot.JoinToken,
        NodeJoinToken = NodeToken,
        Mqtt = new MqttBrokerOptions { Port = FreePort.Next() },
        NodeHeartbeatTimeout = TimeSpan.FromSeconds(6),
        ResourcesInterval = TimeSpan.FromSeconds(2),
        MetricsInterval = TimeSpan.FromMilliseconds(500),
        RetryInterval = TimeSpan.FromMilliseconds(500),
    };

    /// <summary>
    /// Starts a cluster; waits until it is registered at the root and its MQTT subscriptions are in place. With
    /// <paramref name="kestrel"/> it serves HTTPS on a free loopback port (its <see cref="ClusterOptions.Listen"/>) instead of the test host.
    /// </summary>
    public static async Task<TestCluster> StartAsync(
        ITestOutputHelper output, FakeRoot root, Action<ClusterOptions>? configure = null, bool waitForRoot = true, bool kestrel = false,
        ILoggerProvider? logs = null)
    {
        var options = DefaultOptions(root);
        if (kestrel)
        {
            options.Listen = $"https://127.0.0.1:{FreePort.Next()}";
        }

        configure?.Invoke(options);
        var app = ClusterApplication.Create(options, b =>
        {
            if (!kestrel)
            {
                b.WebHost.UseTestServer();
            }

            b.Logging.ClearProviders();
            b.Logging.AddProvider(new XunitLoggerProvider(output, "cluster"));
            if (logs is not null)
            {
                b.Logging.AddProvider(logs);
            }
        });
        var cluster = new TestCluster(app, options, root) { Kestrel = kestrel };
        try
        {
            await app.StartAsync();
            cluster.Http = kestrel ? cluster.PinnedClient() : app.GetTestClient();
            cluster.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", cluster.AdminToken);
            await app.Services.GetRequiredService<Canopy.Cluster.Nodes.ClusterMqtt>().Subscribed.WithDeadline("the cluster's MQTT subscriptions");
            if (waitForRoot)
            {
                await app.Services.GetRequiredService<ClusterReadiness>().Registered.WithDeadline("registration at the fake root");
                await root.WaitForAsync(LinkMessageTypes.Hello);
            }
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    public async Task<IReadOnlyList<NodeDocument>> NodesAsync() =>
        (await Http.GetFromJsonAsync<List<NodeDocument>>("/api/v1/nodes", CanopyJson.Options))!;

    public async Task<IReadOnlyList<InstanceReport>> InstancesAsync() =>
        (await Http.GetFromJsonAsync<List<InstanceReport>>("/api/v1/instances", CanopyJson.Options))!;

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        await App.StopAsync();
    }

    /// <summary>Stops the cluster and releases its files, but leaves the data dir for a cluster started after it.</summary>
    public async Task StopKeepingDataAsync()
    {
        await StopAsync();
        await App.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            if (Directory.Exists(Options.DataDir))
            {
                Directory.Delete(Options.DataDir, recursive: true);
            }
        }
    }
}
