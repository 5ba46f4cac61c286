namespace Canopy.Core.Scheduling;

/// <summary>Which tier decides: the root picks a cluster, a cluster picks a worker. <c>direct</c> constraints read <c>cluster</c> or <c>node</c> accordingly.</summary>
public enum PlacementTier
{
    Root,
    Cluster,
}
