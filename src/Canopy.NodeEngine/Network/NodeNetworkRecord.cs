namespace Canopy.NodeEngine.Network;

/// <summary>
/// <c>/run/canopy/net/&lt;bridge&gt;.json</c>: what one node created in the kernel, so that it can be removed once the node no
/// longer exists. <c>&lt;bridge&gt;.lock</c> beside it is held (flock) while the node runs. /run is emptied at boot, with the
/// kernel state it describes.
/// </summary>
internal sealed record NodeNetworkRecord
{
    /// <summary>The node's CNI bridge (<c>cnp</c> + its key); its subnet's route leads there.</summary>
    public required string Bridge { get; init; }

    /// <summary>The CNI network; every iptables rule CNI adds for the node's pods names it in its comment.</summary>
    public required string NetworkName { get; init; }

    public required string DataDir { get; init; }

    /// <summary>The node's containerd config, written at every start: once it is gone, so is the node (its data dir was deleted).</summary>
    public required string Anchor { get; init; }

    /// <summary>The network namespace the node runs in (<c>net:[inode]</c>): the kernel objects of another one are not visible here.</summary>
    public required string NetNs { get; init; }

    public string? Subnet { get; init; }

    /// <summary>The node's VXLAN device (<c>cnv</c> + its key), with the overlay's routes, neighbours and FDB entries; null in records of older builds.</summary>
    public string? OverlayDevice { get; init; }

    /// <summary>The node's nftables table (<c>ip canopy_</c> + its key): the service-IP DNAT rules; null in records of older builds.</summary>
    public string? NftTable { get; init; }

    public int Pid { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
