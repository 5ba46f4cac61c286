namespace Canopy.NodeEngine.Tests.Support;

/// <summary>
/// The container tests run a real containerd with runc, CNI and a local registry. They fail (never skip) with the
/// Debian package to install when something is missing, so a misconfigured CI cannot pass by testing nothing.
/// </summary>
public static class ContainerPrerequisites
{
    private static readonly (string[] Paths, string Package)[] Required =
    [
        (["/usr/bin/containerd", "/usr/local/bin/containerd"], "containerd"),
        (["/usr/bin/ctr", "/usr/local/bin/ctr"], "containerd"),
        (["/usr/bin/containerd-shim-runc-v2", "/usr/local/bin/containerd-shim-runc-v2"], "containerd"),
        (["/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"], "runc"),
        (["/usr/lib/cni/bridge"], "containernetworking-plugins"),
        (["/usr/lib/cni/host-local"], "containernetworking-plugins"),
        (["/usr/lib/cni/portmap"], "containernetworking-plugins"),
        (["/usr/sbin/iptables", "/sbin/iptables"], "iptables"),
        (["/usr/sbin/ip", "/sbin/ip", "/bin/ip"], "iproute2"),
        (["/usr/bin/docker-registry"], "docker-registry"),
        (["python3", "/usr/bin/python3"], "python3"),
    ];

    public static void Check()
    {
        Prerequisites.Check();
        var missing = Required.Where(r => HostCommand.Find(r.Paths) is null).ToList();
        if (missing.Count > 0)
        {
            var packages = string.Join(' ', missing.Select(m => m.Package).Distinct());
            throw new InvalidOperationException(
                $"The container tests need {string.Join(", ", missing.Select(m => m.Paths[0]))}: install the Debian packages: apt-get install {packages}");
        }
    }

    public static string Ip => HostCommand.Find("/usr/sbin/ip", "/sbin/ip", "/bin/ip")!;
}
