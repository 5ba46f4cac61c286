using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>
/// These tests start real processes in real cgroups: they need root, a static busybox, setsid and setpriv. They fail (never skip)
/// with a message saying what is missing, so a misconfigured CI cannot pass by testing nothing.
/// </summary>
public static class Prerequisites
{
    public const string Busybox = "/bin/busybox";

    public static void Check()
    {
        if (!LibC.IsRoot)
        {
            throw new InvalidOperationException(
                "The node engine tests must run as root: they create cgroups under /sys/fs/cgroup and signal process groups.");
        }

        if (NodeEngine.Containerd.PauseImage.Problem(Busybox) is { } problem)
        {
            throw new InvalidOperationException($"The node engine tests need a static busybox: {problem}");
        }

        if (!File.Exists("/usr/bin/setsid") && !File.Exists("/bin/setsid"))
        {
            throw new InvalidOperationException("setsid is missing: install the Debian package util-linux.");
        }

        if (!File.Exists("/usr/bin/setpriv") && !File.Exists("/bin/setpriv"))
        {
            throw new InvalidOperationException("setpriv is missing (exec workloads drop root with it): install the Debian package util-linux.");
        }
    }
}
