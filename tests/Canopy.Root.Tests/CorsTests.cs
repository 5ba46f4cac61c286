using System.Net;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Root.Tests.Oakestra;

namespace Canopy.Root.Tests;

/// <summary>Which origins may call the API from a browser: none by default, the configured ones, this machine's when allowed.</summary>
public sealed class CorsTests
{
    [Theory]
    [InlineData("http://localhost:4200", true)]
    [InlineData("http://127.0.0.1", true)]
    [InlineData("https://127.0.0.2:8443", true)]
    [InlineData("http://[::1]:3000", true)]
    [InlineData("http://192.168.1.10:4200", false)]
    [InlineData("http://localhost.example.com", false)]
    [InlineData("null", false)]
    public async Task With_loopback_allowed_only_pages_of_this_machine_may_call(string origin, bool allowed)
    {
        using var dir = new TempDir();
        await using var root = await RootHost.StartAsync(dir.Path, o => o.CorsAllowLoopback = true);

        using var preflight = await new DashboardBrowser(root.Client, origin).PreflightResponseAsync(HttpMethod.Post, "/api/auth/login", ["content-type"]);

        ((int)preflight.StatusCode).ShouldBeInRange(200, 299);
        DashboardBrowser.AllowedOrigin(preflight).ShouldBe(allowed ? origin : null);
    }

    [Fact]
    public async Task By_default_no_origin_may_call_but_the_preflight_is_not_a_401()
    {
        using var dir = new TempDir();
        await using var root = await RootHost.StartAsync(dir.Path, _ => { });

        using var preflight = await new DashboardBrowser(root.Client, "http://localhost:4200").PreflightResponseAsync(HttpMethod.Get, "/api/applications/", ["authorization"]);

        preflight.StatusCode.ShouldNotBe(HttpStatusCode.Unauthorized);
        DashboardBrowser.AllowedOrigin(preflight).ShouldBeNull();
    }

    [Fact]
    public async Task A_star_allows_any_origin()
    {
        using var dir = new TempDir();
        await using var root = await RootHost.StartAsync(dir.Path, o => o.CorsOrigins = ["*"]);
        var browser = new DashboardBrowser(root.Client, "https://anywhere.example");

        await browser.CallAsync(HttpMethod.Post, "/api/auth/login", new { username = "Admin", password = RootHost.AdminPassword });
    }

    [Fact]
    public async Task A_configured_origin_matches_whatever_its_spelling()
    {
        using var dir = new TempDir();
        await using var root = await RootHost.StartAsync(dir.Path, o => o.CorsOrigins = ["HTTP://Dashboard.Example:80/"]);

        await new DashboardBrowser(root.Client, "http://dashboard.example").PreflightAsync(HttpMethod.Get, "/api/clusters/", ["authorization"]);
    }

    [Theory]
    [InlineData("dashboard.example")]
    [InlineData("http://dashboard.example/app")]
    [InlineData("ftp://dashboard.example")]
    public void An_origin_setting_that_is_no_origin_is_refused_naming_it(string origin)
    {
        using var dir = new TempDir();
        var options = new RootOptions { DataDir = dir.Path, CorsOrigins = [origin] };

        Should.Throw<ArgumentException>(options.Validate).Message.ShouldContain($"CORS origin '{origin}' is not an origin");
    }
}
