using System.Net;
using System.Net.Http.Headers;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// <c>/metrics</c> of a real `canopy up`: root and cluster (with its node's series) scraped after a deploy and after the
/// instance's process is killed, in the Prometheus text format; and the scrape token once loopback is no longer trusted.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class MetricsTests
{
    private const string Service = "metered.e2e.web.e2e";

    public MetricsTests() => Requirements.Check();

    [Fact]
    public async Task Up_Scrapes_EachTier_AfterADeploy_AndAKilledInstanceShowsInRestarts()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        await canopy.WaitForOutputAsync($"{canopy.RootUrl}/metrics");
        (await canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        using var root = canopy.Http();
        using var cluster = ClusterClient(canopy);

        // From this machine under `up`: no token needed.
        var before = await ScrapeAsync(root);
        var deploy = await canopy.CliAsync("app", "deploy", Slas.ExecWeb(canopy.DataDir, FreePort.Block(3), "metered"), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());

        var deployed = await Wait.ForAsync(() => ScrapeAsync(root),
            m => m.Sum("canopy_instance_cpu_percent", ("service", Service)) > 0 || m.Sum("canopy_instance_memory_bytes", ("service", Service)) > 0,
            TimeSpan.FromSeconds(20), "the instance's cpu or memory at the root");
        deployed.Sum("canopy_deploys_total", ("service", Service)).ShouldBe(before.Sum("canopy_deploys_total", ("service", Service)) + 1);
        deployed.Sum("canopy_instances", ("service", Service), ("state", "RUNNING")).ShouldBe(1);
        deployed.Sum("canopy_deploy_to_running_seconds_count", ("service", Service)).ShouldBe(1);
        deployed.Sum("canopy_deploy_to_running_seconds_sum", ("service", Service)).ShouldBeInRange(0.001, 30);
        deployed.Sum("canopy_placements_total", ("cluster", "cluster-1")).ShouldBeGreaterThanOrEqualTo(1);
        deployed.Sum("canopy_cluster_up", ("cluster", "cluster-1")).ShouldBe(1);
        deployed.Sum("canopy_link_messages_total", ("direction", "received"), ("type", "instance_status")).ShouldBeGreaterThan(0);
        deployed.Sum("canopy_api_requests_total", ("route", "/api/service/{id}/instance"), ("status", "200")).ShouldBeGreaterThanOrEqualTo(1);
        deployed.Sum("dotnet_gc_collections_total").ShouldBeGreaterThan(0);

        var atCluster = await ScrapeAsync(cluster);
        atCluster.Sum("canopy_node_up", ("node", "e2e-node")).ShouldBe(1);
        atCluster.Sum("canopy_node_instances", ("node", "e2e-node"), ("state", "RUNNING")).ShouldBeGreaterThanOrEqualTo(1);
        atCluster.Sum("canopy_placements_total", ("node", "e2e-node")).ShouldBeGreaterThanOrEqualTo(1);
        atCluster.Sum("canopy_mqtt_messages_total", ("direction", "received")).ShouldBeGreaterThan(0);
        atCluster.Sum("canopy_mqtt_bytes_total", ("direction", "sent")).ShouldBeGreaterThan(0);
        atCluster.Sum("canopy_link_messages_total", ("direction", "sent")).ShouldBeGreaterThan(0);
        atCluster.Sum("canopy_node_memory_bytes", ("node", "e2e-node")).ShouldBeGreaterThan(0);
        atCluster.Has("dotnet_thread_pool_thread_count").ShouldBeTrue();

        // A killed process: the node engine restarts it, and the restart reaches the root's series.
        using var api = await canopy.ApiAsync();
        var pid = (await api.ServiceByNameAsync("metered")).InstanceList.ShouldHaveSingleItem().Pid;
        pid.ShouldNotBeNull();
        Signals.KillWorkload(pid!.Value);
        var restarted = await Wait.ForAsync(() => ScrapeAsync(root),
            m => m.Sum("canopy_instance_restarts_total", ("service", Service)) == 1, TimeSpan.FromSeconds(15), "the restart in canopy_instance_restarts_total");
        restarted.Sum("canopy_deploy_to_running_seconds_count", ("service", Service)).ShouldBe(1, "a restart is not a deploy");
    }

    [Fact]
    public async Task Up_WithLoopbackNotTrusted_Answers401WithoutTheToken_AndBothTiersTakeTheOneInTheDataDir()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync(environment: new Dictionary<string, string>
        {
            ["CANOPY_Root__Metrics__LoopbackWithoutToken"] = "false",
            ["CANOPY_Cluster__Metrics__LoopbackWithoutToken"] = "false",
        });
        using var root = canopy.Http();
        using var cluster = ClusterClient(canopy);
        foreach (var tier in new[] { root, cluster })
        {
            var refused = await tier.GetAsync("metrics");
            var body = await refused.Content.ReadAsStringAsync();
            refused.StatusCode.ShouldBe(HttpStatusCode.Unauthorized, body);
            refused.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
            body.ShouldContain("metrics-token");
        }

        var token = (await File.ReadAllTextAsync(Path.Combine(canopy.DataDir, "root", "metrics-token"))).Trim();
        File.GetUnixFileMode(Path.Combine(canopy.DataDir, "root", "metrics-token")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        foreach (var tier in new[] { root, cluster })
        {
            tier.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            (await ScrapeAsync(tier)).Has("dotnet_gc_collections_total").ShouldBeTrue();
        }
    }

    private static HttpClient ClusterClient(CanopyProcess canopy) =>
        new(ClusterCa.PinnedHandler(canopy.ClusterPin)) { BaseAddress = new Uri(canopy.ClusterUrl + "/") };

    private static async Task<PrometheusText> ScrapeAsync(HttpClient tier)
    {
        var response = await tier.GetAsync("metrics");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        return PrometheusText.Parse(text);
    }
}
