using Canopy.Testing;
using Canopy.Testing.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// What the browser tests look at: <c>canopy up</c> as a real process (root, cluster and node on loopback, the dashboard
/// served by the root over its HTTPS) and Debian's Chromium, headless, driven by Playwright.
/// </summary>
public sealed class DashboardStack(IMessageSink messages) : IAsyncLifetime
{
    public const string Admin = "Admin";

    private IPlaywright? _playwright;
    private HttpClient? _api;

    public CanopyProcess Canopy { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The root's API, logged in as Admin: what the tests check the dashboard's work against.</summary>
    public HttpClient Api => _api ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        Requirements.Check();
        (_playwright, Browser) = await InstalledChromium.LaunchAsync();
        await Canopy.StartAsync();
        _api = await Canopy.ApiAsync();
        Print($"Dashboard screenshots of this run: {Screenshots.Directory}");
    }

    /// <summary>A new tab on <paramref name="rootUrl"/> (default: this stack's root) at the given viewport, not logged in.</summary>
    public Task<BrowserTab> OpenAsync(int width = 1280, int height = 800, bool phone = false, string? rootUrl = null) =>
        OpenTabAsync(Browser, rootUrl ?? Canopy.RootUrl, width, height, phone);

    /// <summary>A new tab logged in as Admin through the login form.</summary>
    public async Task<BrowserTab> LoggedInAsync(int width = 1280, int height = 800, bool phone = false)
    {
        var tab = await OpenAsync(width, height, phone);
        await DashboardLogin.OpenAndLogInAsync(tab.Page, Admin, CanopyProcess.AdminPassword);
        return tab;
    }

    public static async Task<BrowserTab> OpenTabAsync(IBrowser browser, string rootUrl, int width, int height, bool phone)
    {
        var context = await InstalledChromium.NewDashboardContextAsync(browser, rootUrl, width, height, phone);
        // A busy machine (two cores shared by several test runs) can take seconds for a page's first data.
        context.SetDefaultTimeout(20_000);
        Assertions.SetDefaultExpectTimeout(20_000);
        return new BrowserTab(context, await context.NewPageAsync());
    }

    /// <summary>A line on the test run's output (xunit diagnostic messages, shown by <c>dotnet test</c>).</summary>
    public void Print(string line) => messages.OnMessage(new DiagnosticMessage(line));

    public async Task DisposeAsync()
    {
        _api?.Dispose();
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        await Canopy.DisposeAsync();
        Print($"Dashboard screenshots of this run: {Screenshots.Directory}");
    }
}
