namespace Canopy.Cri.Tests.Integration;

/// <summary>
/// What the containerd tests need on the host. Missing pieces fail the tests (never skip them), with the Debian
/// package that provides each, so that a machine without them shows up red instead of silently green.
/// </summary>
internal static class Prerequisites
{
    private static readonly string[] SearchPath =
        [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(':', StringSplitOptions.RemoveEmptyEntries), "/usr/sbin", "/sbin", "/usr/bin", "/bin"];

    public static string CniBinDir => "/usr/lib/cni";

    /// <summary>Absolute paths of the tools, by name.</summary>
    public static IReadOnlyDictionary<string, string> Check()
    {
        var problems = new List<string>();
        if (!Environment.IsPrivilegedProcess)
        {
            problems.Add("the containerd tests need root (containerd, runc, CNI bridges, cgroups): run them as root");
        }

        var tools = new Dictionary<string, string>();
        foreach (var (tool, package) in new[]
                 {
                     ("containerd", "containerd"), ("ctr", "containerd"), ("runc", "runc"), ("docker-registry", "docker-registry"),
                     ("python3", "python3"), ("ip", "iproute2"), ("iptables", "iptables"), ("setsid", "util-linux"),
                 })
        {
            if (Find(tool) is { } path)
            {
                tools[tool] = path;
            }
            else
            {
                problems.Add($"{tool} is missing: apt-get install {package}");
            }
        }

        foreach (var plugin in new[] { "bridge", "host-local", "portmap", "loopback" })
        {
            if (!File.Exists(Path.Combine(CniBinDir, plugin)))
            {
                problems.Add($"CNI plugin {CniBinDir}/{plugin} is missing: apt-get install containernetworking-plugins");
            }
        }

        if (!File.Exists("/bin/busybox"))
        {
            problems.Add("/bin/busybox is missing (the test images are built from it): apt-get install busybox-static");
        }

        if (problems.Count > 0)
        {
            throw new InvalidOperationException("The containerd integration tests cannot run here:\n  " + string.Join("\n  ", problems));
        }

        return tools;
    }

    private static string? Find(string tool) =>
        SearchPath.Select(dir => Path.Combine(dir, tool)).FirstOrDefault(File.Exists);
}
