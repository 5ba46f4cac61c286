using Canopy.Testing.Browser;

namespace Canopy.Dashboard.Tests;

public sealed class InstalledChromiumTests
{
    [Fact]
    public void MissingChromium_FailsNamingThePackage()
    {
        var error = Should.Throw<InvalidOperationException>(() => InstalledChromium.Require("/nonexistent/chromium"));
        error.Message.ShouldContain("/nonexistent/chromium");
        error.Message.ShouldContain("apt-get install chromium");
    }
}
