using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>These tests need root and system packages; CI installs them. Missing ones fail with a clear message, never skip.</summary>
internal static class Requirements
{
    public static void Check()
    {
        if (MachineRequirements.Missing() is { } missing)
        {
            Assert.Fail(missing);
        }
    }
}
