namespace Canopy.NodeEngine.Tests.Support;

/// <summary>The net manager's tests program the kernel: nftables and iproute2 besides what every node engine test needs.</summary>
public static class NetPrerequisites
{
    public static string Nft => HostCommand.Find("/usr/sbin/nft", "/sbin/nft")
        ?? throw new InvalidOperationException("nft is missing: install the Debian package nftables.");

    public static void Check()
    {
        Prerequisites.Check();
        _ = Nft;
        if (HostCommand.Find("/usr/sbin/ip", "/sbin/ip", "/bin/ip") is null)
        {
            throw new InvalidOperationException("ip is missing: install the Debian package iproute2.");
        }

        if (HostCommand.Find("/usr/bin/unshare") is null)
        {
            throw new InvalidOperationException("unshare is missing: install the Debian package util-linux.");
        }
    }
}
