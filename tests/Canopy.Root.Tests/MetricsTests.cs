using System.Net;
using System.Net.Http.Headers;
using Canopy.Contracts.Link;
using Canopy.Core.States;
using Canopy.Hosting.Metrics;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;
using static Canopy.Root.Tests.Infrastructure.Workloads;

namespace Canopy.Root.Tests;

/// <summary>
/// Alone: OpenTelemetry reads every meter of the process with the root's meter name, so a root of another test running at the
/// same time would add its series (or, with the same instrument, hide this root's). In production a process holds one root.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}

/// <summary>The root's <c>/metrics</c>: only with the scrape token, Prometheus text, and series that move with what happens.</summary>
[Collection(MetricsCollection.Name)]
public class MetricsTests : RootTestBase
{
    private const string Token = "scrape-token-of-the-metrics-tests-0123456789";

    private protected override void Tweak(RootOptions options) => options.Metrics.ScrapeToken = Token;

    [Fact]
    public async Task A_scrape_without_the_token_or_with_another_gets_401_problem_json_saying_where_the_token_is()
    {
        using var anonymous = Root.Server.CreateClient();
        var none = await (await anonymous.GetAsync("/metrics")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        none.Detail().ShouldContain("metrics-token");

        // An Admin's own access token is not a scrape token.
        var admin = await Root.Client.GetAsync("/metrics");
        (await admin.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("not valid");
        admin.Headers.WwwAuthenticate.ToString().ShouldContain("invalid_token");
    }

    [Fact]
    public async Task Loopback_without_a_token_is_only_for_canopy_up_and_the_test_server_is_not_loopback()
    {
        Root.Options.Metrics.LoopbackWithoutToken = true;
        using var anonymous = Root.Server.CreateClient();
        (await anonymous.GetAsync("/metrics")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_deploy_a_placement_running_and_an_oom_kill_move_their_series()
    {
        var edge = $"metrics-{Guid.NewGuid():N}"[..20];
        await using var cluster = await FakeCluster.ConnectAsync(Root, edge);
        var before = await ScrapeAsync();

        var serviceId = await CreateServiceAsync(Root);
        var number = await AddInstanceAsync(Root, serviceId);
        await cluster.NextAsync(LinkMessageTypes.Deploy);
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, "vm-2") with { CpuPercent = 12.5, Memory = 3 });

        var running = await Eventually.ValueAsync(ScrapeAsync,
            m => m.Sum("canopy_instance_cpu_percent", ("cluster", edge)) > 0, "the instance RUNNING with its cpu");
        running.Sum("canopy_instances", ("service", "hello.demo.web.demo"), ("state", "RUNNING")).ShouldBeGreaterThanOrEqualTo(1);
        running.Sum("canopy_deploys_total", ("service", "hello.demo.web.demo"))
            .ShouldBeGreaterThanOrEqualTo(before.Sum("canopy_deploys_total", ("service", "hello.demo.web.demo")) + 1);
        running.Sum("canopy_placements_total", ("cluster", edge)).ShouldBe(1);
        running.Sum("canopy_deploy_to_running_seconds_count").ShouldBeGreaterThan(before.Sum("canopy_deploy_to_running_seconds_count"));
        running.TypeOf["canopy_deploy_to_running_seconds"].ShouldBe("histogram");
        running.Sum("canopy_cluster_up", ("cluster", edge)).ShouldBe(1);
        running.Sum("canopy_instance_cpu_percent", ("cluster", edge), ("service", "hello.demo.web.demo"), ("node", "vm-2")).ShouldBe(12.5);
        running.Sum("canopy_instance_memory_bytes", ("cluster", edge)).ShouldBe(3 * 1024 * 1024);
        running.Sum("canopy_link_messages_total", ("direction", "received"), ("type", LinkMessageTypes.InstanceStatus)).ShouldBeGreaterThanOrEqualTo(1);
        running.Sum("canopy_link_bytes_total", ("direction", "sent")).ShouldBeGreaterThan(0);
        running.Sum("canopy_api_requests_total", ("route", "/api/service/{id}/instance"), ("method", "POST"), ("status", "200")).ShouldBeGreaterThanOrEqualTo(1);
        running.Has("dotnet_gc_collections_total").ShouldBeTrue();
        running.Has("dotnet_thread_pool_thread_count").ShouldBeTrue();

        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Dead, "vm-2",
            $"{RestartRules.OomKilled}: the instance used more memory than its limit and was killed (exit 137); restarting in 0.5 s"));
        await cluster.SendAsync(LinkMessageTypes.InstanceStatus, Report(serviceId, number, InstanceStatus.Running, "vm-2") with { RestartCount = 1 });

        var restarted = await Eventually.ValueAsync(ScrapeAsync,
            m => m.Sum("canopy_instance_restarts_total", ("cluster", edge)) == 1, "the restart in canopy_instance_restarts_total");
        restarted.Sum("canopy_oom_kills_total", ("service_id", serviceId)).ShouldBe(1);
    }

    private async Task<PrometheusText> ScrapeAsync()
    {
        using var scraper = Root.Server.CreateClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        var response = await scraper.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(HttpStatusCode.OK, text);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/plain");
        return PrometheusText.Parse(text);
    }
}

/// <summary>Without a configured token the root makes one in its data dir, readable by its owner only.</summary>
[Collection(MetricsCollection.Name)]
public class ScrapeTokenFileTests : RootTestBase
{
    [Fact]
    public async Task The_generated_token_is_in_metrics_token_mode_0600_and_opens_metrics()
    {
        var file = Path.Combine(Root.Options.DataDir, ScrapeToken.FileName);
        File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        using var scraper = Root.Server.CreateClient();
        scraper.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(file).Trim());
        var response = await scraper.GetAsync("/metrics");
        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        PrometheusText.Parse(await response.Content.ReadAsStringAsync()).Has("dotnet_gc_collections_total").ShouldBeTrue();
    }

    [Fact]
    public async Task A_configured_token_too_short_is_refused_at_start_naming_the_setting()
    {
        using var dir = new TempDir();
        var error = await Should.ThrowAsync<ArgumentException>(() => RootHost.StartAsync(dir.Path, o => o.Metrics.ScrapeToken = "short"));
        error.Message.ShouldContain("CANOPY_METRICS_TOKEN");
    }
}
