using Canopy.Testing;
using Canopy.Testing.Browser;

namespace Canopy.Dashboard.Tests;

/// <summary>The browser tests need what <c>canopy up</c> needs (root, Mosquitto, busybox) and Chromium; missing ones fail clearly, never skip.</summary>
internal static class Requirements
{
    public static void Check()
    {
        if (MachineRequirements.Missing() is { } missing)
        {
            Assert.Fail(missing);
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
