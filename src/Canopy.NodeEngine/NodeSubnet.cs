namespace Canopy.NodeEngine;

/// <summary>
/// The /26 of 10.18.0.0/16 this node's containers take their addresses from. The cluster assigns it at registration;
/// <see cref="NodeEngineOptions.Subnet"/> overrides it (tests, a node configured by hand).
/// </summary>
public sealed class NodeSubnet
{
    private readonly bool _fixed;

    // Written by the registration, read by the container runtime's watch loop (which rewrites the CNI config on a change).
    private volatile string? _current;

    public NodeSubnet(NodeEngineOptions options)
    {
        if (options.Subnet is { Length: > 0 } subnet)
        {
            _current = subnet;
            _fixed = true;
        }
    }

    /// <summary>Null until the cluster said (or the options did).</summary>
    public string? Current => _current;

    /// <summary>Takes the registration's answer (ignored when the options fix the subnet or the cluster sent none).</summary>
    internal void Assign(string? subnet)
    {
        if (!_fixed && !string.IsNullOrWhiteSpace(subnet))
        {
            _current = subnet;
        }
    }
}
