using Microsoft.Playwright;

namespace Canopy.Testing.Browser;

/// <summary>
/// Debian's <c>chromium</c>, started headless by Playwright's own driver (shipped in the NuGet package, runs offline).
/// Playwright's browser download is never used: the install script is not called and the download is switched off.
/// </summary>
public static class InstalledChromium
{
    public const string DefaultPath = "/usr/bin/chromium";

    /// <summary>$CANOPY_CHROMIUM, else Debian's <c>/usr/bin/chromium</c>.</summary>
    public static string Path => Environment.GetEnvironmentVariable("CANOPY_CHROMIUM") is { Length: > 0 } chosen ? chosen : DefaultPath;

    /// <param name="path">The browser to look for; <see cref="Path"/> unless given.</param>
    /// <exception cref="InvalidOperationException">Chromium is not installed; the message says how to install it.</exception>
    public static void Require(string? path = null)
    {
        path ??= Path;
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(
                $"Chromium not found at {path}: the dashboard's browser tests drive the installed browser. " +
                "Install it with `apt-get install chromium` (scripts/install-deps.sh test and .ci/run do), or set CANOPY_CHROMIUM to another Chromium.");
        }
    }

    /// <summary>Starts Playwright's driver and the installed Chromium, headless.</summary>
    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Require();
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = Path,
                Headless = true,
                // Root runs the tests; Chromium refuses to start as root with its sandbox on.
                Args = ["--no-sandbox", "--disable-dev-shm-usage"],
            });
            return (playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fresh browser context (its own sessionStorage) for a dashboard served over HTTPS by a root with its own CA, which
    /// the browser does not know: certificate errors are ignored for this context only (it visits nothing else).
    /// </summary>
    public static Task<IBrowserContext> NewDashboardContextAsync(IBrowser browser, string baseUrl, int width = 1280, int height = 800, bool mobile = false) =>
        browser.NewContextAsync(new()
        {
            BaseURL = baseUrl,
            IgnoreHTTPSErrors = true,
            ViewportSize = new() { Width = width, Height = height },
            IsMobile = mobile,
            HasTouch = mobile,
        });
}
