using Canopy.Testing;
using Microsoft.Playwright;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// A screenshot of each page the tests visit, for people to look at: under $CANOPY_TEST_RESULTS (scripts/test.sh sets it
/// to its results directory) or else this project's TestResults/, in <c>dashboard-screenshots/&lt;UTC time&gt;/</c>.
/// </summary>
public static class Screenshots
{
    private static readonly Lazy<string> RunDirectory = new(() =>
    {
        var results = Environment.GetEnvironmentVariable("CANOPY_TEST_RESULTS") is { Length: > 0 } chosen
            ? chosen
            : Path.Combine(Repo.Root, "tests", "Canopy.Dashboard.Tests", "TestResults");
        return System.IO.Directory.CreateDirectory(Path.Combine(results, "dashboard-screenshots", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss"))).FullName;
    });

    public static string Directory => RunDirectory.Value;

    /// <summary>The whole page as it is now, as <c>&lt;name&gt;.png</c>; returns the file's path.</summary>
    public static async Task<string> SaveAsync(IPage page, string name)
    {
        var path = Path.Combine(Directory, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = true });
        return path;
    }
}
