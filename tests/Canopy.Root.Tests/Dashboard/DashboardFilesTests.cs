using System.Net;
using System.Net.Http.Headers;
using Canopy.Root.Dashboard;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests.Dashboard;

/// <summary>The dashboard's files as the root serves them: anonymous, with their media types and the strict CSP; nothing else changes.</summary>
public sealed class DashboardFilesTests : RootTestBase
{
    [Fact]
    public async Task The_root_path_serves_the_dashboard_page_without_a_token_under_a_strict_content_security_policy()
    {
        using var anonymous = Root.Server.CreateClient();

        var response = await anonymous.GetAsync("/");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("text/html");
        response.Content.Headers.ContentType.CharSet.ShouldBe("utf-8");
        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        csp.ShouldContain("default-src 'none'");
        csp.ShouldContain("script-src 'self'");
        csp.ShouldContain("connect-src 'self'");
        csp.ShouldContain("frame-ancestors 'none'");
        csp.ShouldNotContain("unsafe");
        response.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        var html = await response.Content.ReadAsStringAsync();
        html.ShouldContain("<script type=\"module\" src=\"/ui/app.js\"></script>");
        html.ShouldNotContain("<script>");
        html.ShouldNotContain("style=");
    }

    [Fact]
    public async Task Every_embedded_file_is_served_with_its_media_type_and_the_policy()
    {
        using var anonymous = Root.Server.CreateClient();
        var paths = Root.Service<DashboardFiles>().Paths.ToList();
        paths.ShouldContain("index.html");
        paths.ShouldContain("app.js");
        paths.ShouldContain("style.css");
        paths.ShouldContain("pages/deploy.js");

        foreach (var path in paths)
        {
            var response = await anonymous.GetAsync($"/ui/{path}");

            response.StatusCode.ShouldBe(HttpStatusCode.OK, path);
            var expected = Path.GetExtension(path) switch
            {
                ".html" => "text/html",
                ".js" => "text/javascript",
                ".css" => "text/css",
                ".svg" => "image/svg+xml",
                _ => "application/json",
            };
            response.Content.Headers.ContentType!.MediaType.ShouldBe(expected, path);
            response.Headers.Contains("Content-Security-Policy").ShouldBeTrue(path);
            (await response.Content.ReadAsByteArrayAsync()).ShouldNotBeEmpty(path);
        }
    }

    [Fact]
    public async Task An_unchanged_file_is_revalidated_with_its_etag()
    {
        using var anonymous = Root.Server.CreateClient();
        var first = await anonymous.GetAsync("/ui/app.js");
        var etag = first.Headers.ETag!;
        first.Headers.CacheControl!.NoCache.ShouldBeTrue();

        using var again = new HttpRequestMessage(HttpMethod.Get, "/ui/app.js");
        again.Headers.IfNoneMatch.Add(new EntityTagHeaderValue(etag.Tag));
        var second = await anonymous.SendAsync(again);

        second.StatusCode.ShouldBe(HttpStatusCode.NotModified);
        (await second.Content.ReadAsByteArrayAsync()).ShouldBeEmpty();
    }

    [Theory]
    [InlineData("/ui/missing.js")]
    [InlineData("/ui/../Canopy.Root.dll")]
    [InlineData("/api/unknown")]
    [InlineData("/api/v1/nothing/here")]
    public async Task Unknown_paths_stay_problem_json_404s_not_the_dashboard_page(string path)
    {
        var response = await Root.Client.GetAsync(path);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        problem.Detail().ShouldNotBeEmpty();
    }

    [Fact]
    public async Task The_api_health_and_docs_still_answer_beside_the_dashboard()
    {
        (await Root.Client.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.Client.GetAsync("/api/docs/v1/swagger.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.Client.GetAsync("/api/applications/")).Content.Headers.ContentType!.MediaType.ShouldBe("application/json");
    }

    /// <summary>The names the browser tests find things by (the brief's test hooks, /work/wt/HOOKS.md).</summary>
    [Fact]
    public async Task The_page_has_the_navigation_the_browser_tests_use()
    {
        var html = await Root.Client.GetStringAsync("/");

        foreach (var link in new[] { ">Overview</a>", ">Applications</a>", ">Deploy</a>", ">Join tokens</a>" })
        {
            html.ShouldContain(link);
        }
    }
}
