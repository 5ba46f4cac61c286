using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Canopy.Cluster.Auth;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Api;
using Canopy.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.Api;

/// <summary>The cluster's API needs a credential: its own admin token, or a root Admin's access token checked with the root's public key.</summary>
public sealed class ClusterAuthTests(ITestOutputHelper output) : ClusterTest(output)
{
    /// <summary>
    /// What answers without a credential, besides 401 (README, "The API"): health, Oakestra's status probe, node registration and a
    /// node's leave (each its own check: a join token or the node's secret).
    /// </summary>
    private static readonly string[] Open = ["GET /health", "GET /api/cluster/status", "POST /api/node/register", "POST /api/node/leave"];

    [Fact]
    public async Task Every_route_but_the_documented_open_ones_answers_401_with_how_to_get_a_credential()
    {
        using var anonymous = Cluster.Anonymous();

        var answers = await AnonymousCalls.CallEveryRouteAsync(Cluster.Services, anonymous);

        Output.WriteLine(string.Join("\n", answers));
        answers.Count.ShouldBeGreaterThanOrEqualTo(Open.Length + 3);
        answers.Where(a => a.Status != 401).Select(a => a.Route).ShouldBeSubsetOf(Open);
        // /metrics takes its own credential, the scrape token, and says where it is (MetricsTests).
        answers.Single(a => a.Route == "GET /metrics").Detail.ShouldNotBeNull().ShouldContain("scrape token");
        foreach (var refused in answers.Where(a => a.Status == 401 && !Open.Contains(a.Route) && a.Route != "GET /metrics"))
        {
            refused.ContentType.ShouldBe("application/problem+json");
            refused.Detail.ShouldNotBeNull().ShouldContain("access token of an Admin user of its root");
            refused.Detail.ShouldContain("admin-token");
        }

        answers.Single(a => a.Route == "GET /health").Status.ShouldBe(200);
        answers.Single(a => a.Route == "GET /api/cluster/status").Status.ShouldBe(200);
    }

    [Fact]
    public async Task The_admin_token_and_a_root_admins_token_are_let_in_other_users_and_refresh_tokens_are_not()
    {
        var now = DateTimeOffset.UtcNow;

        (await GetNodesAsync(Cluster.AdminToken)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await GetNodesAsync(Root.Users.Issue("Admin", [Roles.Admin], now))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await DetailAsync(await GetNodesAsync(Root.Users.Issue("alice", [Roles.ApplicationProvider], now)), HttpStatusCode.Forbidden))
            .ShouldContain("needs the role Admin or Infrastructure_Provider");
        (await DetailAsync(await GetNodesAsync(Root.Users.Issue("Admin", [Roles.Admin], now, UserTokenClaims.RefreshType)), HttpStatusCode.Unauthorized))
            .ShouldStartWith("A refresh token cannot be used as an access token");
        (await DetailAsync(await GetNodesAsync(Root.Users.Issue("Admin", [Roles.Admin], now.AddMinutes(-11))), HttpStatusCode.Unauthorized))
            .ShouldStartWith("The token expired");
        using var otherRoot = new FakeRootUsers();
        (await DetailAsync(await GetNodesAsync(otherRoot.Issue("Admin", [Roles.Admin], now)), HttpStatusCode.Unauthorized))
            .ShouldStartWith("The bearer token is neither this cluster's admin token nor signed by this cluster's root");
        (await DetailAsync(await GetNodesAsync("cat_guessed"), HttpStatusCode.Unauthorized)).ShouldContain("not valid");
    }

    [Fact]
    public void The_admin_token_is_made_once_and_only_its_owner_may_read_it()
    {
        var file = Cluster.Services.GetRequiredService<ClusterAdminToken>().File;

        File.GetUnixFileMode(file).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        ClusterAdminToken.LoadOrCreate(Cluster.Options.DataDir).InitialToken.ShouldBeNull();
        Cluster.AdminToken.ShouldStartWith("cat_");
    }

    [Fact]
    public async Task The_roots_key_is_kept_so_a_restarted_cluster_checks_tokens_before_it_reaches_the_root()
    {
        var token = Root.Users.Issue("Admin", [Roles.Admin], DateTimeOffset.UtcNow);
        var fresh = new RootUserTokens(Cluster.Services.GetRequiredService<IClusterStore>(), TimeProvider.System);

        var (identity, why) = await fresh.ValidateAsync(token);

        why.ShouldBeNull();
        identity.ShouldNotBeNull().Name.ShouldBe("Admin");
    }

    private async Task<HttpResponseMessage> GetNodesAsync(string token)
    {
        using var client = Cluster.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.GetAsync("/api/v1/nodes");
    }

    private static async Task<string> DetailAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.ShouldBe(status, body);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        using var problem = JsonDocument.Parse(body);
        return problem.RootElement.GetProperty("detail").GetString()!;
    }
}

/// <summary>A cluster whose clock is an hour behind its root's checks token lifetimes by the root's clock.</summary>
public sealed class ClusterAuthClockTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Tokens_are_checked_by_the_roots_clock_not_the_clusters()
    {
        await using var root = await FakeRoot.StartAsync();
        root.ClockAhead = TimeSpan.FromHours(1);
        await using var cluster = await TestCluster.StartAsync(output, root);
        using var client = cluster.Anonymous();

        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", root.Users.Issue("Admin", [Roles.Admin], DateTimeOffset.UtcNow.AddHours(1)));
        (await client.GetAsync("/api/v1/nodes")).StatusCode.ShouldBe(HttpStatusCode.OK);

        client.DefaultRequestHeaders.Authorization =
            new AuthenticationHeaderValue("Bearer", root.Users.Issue("Admin", [Roles.Admin], DateTimeOffset.UtcNow));
        (await client.GetAsync("/api/v1/nodes")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}
