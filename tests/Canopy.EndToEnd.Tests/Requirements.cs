using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>These tests need root and system packages; CI installs them. Missing ones fail with a clear message, never skip.</summary>
internal static class Requirements
{
    public static void Check()
    {
        if (Environment.UserName != "root")
        {
            Assert.Fail("End-to-end tests need root (cgroups for instances). Run them as root (CI does).");
        }

        foreach (var (tool, package) in new[] { ("mosquitto", "mosquitto"), ("busybox", "busybox-static") })
        {
            if (!new[] { "/usr/sbin", "/usr/bin", "/bin", "/sbin" }.Any(d => File.Exists(Path.Combine(d, tool))))
            {
                Assert.Fail($"{tool} not found: apt-get install {package} (scripts/install-deps.sh does).");
            }
        }
    }
}
