namespace Canopy.Root.Store;

/// <summary>
/// What marking something for deletion did: the instances that still wait for their cluster's UNDEPLOYED
/// (the caller sends them <c>undeploy</c>), and whether the service / application already vanished.
/// </summary>
public sealed record DeletionOutcome(IReadOnlyList<InstanceRecord> AwaitingUndeploy, bool ServiceRemoved, bool ApplicationRemoved)
{
    public static readonly DeletionOutcome Nothing = new([], false, false);
}
