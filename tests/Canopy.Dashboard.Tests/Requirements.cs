using Canopy.Testing.Browser;

namespace Canopy.Dashboard.Tests;

/// <summary>The browser tests need root (the node of <c>canopy up</c>), its packages and Chromium; missing ones fail clearly, never skip.</summary>
internal static class Requirements
{
    public static void Check()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("The dashboard's browser tests start `canopy up`, whose node needs root (cgroups for instances). Run them as root (CI does).");
        }

        foreach (var (tool, package) in new[] { ("mosquitto", "mosquitto"), ("busybox", "busybox-static") })
        {
            if (!new[] { "/usr/sbin", "/usr/bin", "/bin", "/sbin" }.Any(d => File.Exists(Path.Combine(d, tool))))
            {
                Assert.Fail($"{tool} not found: apt-get install {package} (scripts/install-deps.sh does).");
            }
        }

        try
        {
            InstalledChromium.Require();
        }
        catch (InvalidOperationException e)
        {
            Assert.Fail(e.Message);
        }
    }
}
