namespace Canopy.Testing;

/// <summary>What <c>canopy up</c> with exec instances needs of this machine; CI installs it (scripts/install-deps.sh).</summary>
public static class MachineRequirements
{
    /// <summary>What is missing and how to get it, or null when all is there.</summary>
    public static string? Missing()
    {
        if (Environment.UserName != "root")
        {
            return "End-to-end tests need root (cgroups for instances). Run them as root (CI does).";
        }

        foreach (var (tool, package) in new[] { ("mosquitto", "mosquitto"), ("busybox", "busybox-static") })
        {
            if (!new[] { "/usr/sbin", "/usr/bin", "/bin", "/sbin" }.Any(d => File.Exists(Path.Combine(d, tool))))
            {
                return $"{tool} not found: apt-get install {package} (scripts/install-deps.sh does).";
            }
        }

        return null;
    }
}
