namespace Canopy.Root.Store;

/// <summary>A cluster's node subnet blocks after a grant: all of them (CIDR, oldest first) and the one added, if any.</summary>
/// <param name="Exhausted">A block was wanted but every block of the node range belongs to some cluster.</param>
public sealed record SubnetBlockGrant(IReadOnlyList<string> Blocks, string? Added, bool Exhausted);
