namespace Canopy.Core.States.Tests;

public class ServiceStatusTests
{
    [Theory]
    [InlineData(new InstanceStatus[0], 1, "REQUESTED")]
    [InlineData(new InstanceStatus[0], 0, "UNDEPLOYED")]
    [InlineData(new[] { InstanceStatus.Running }, 1, "RUNNING")]
    [InlineData(new[] { InstanceStatus.Running, InstanceStatus.Running, InstanceStatus.Running }, 3, "RUNNING")]
    [InlineData(new[] { InstanceStatus.Completed, InstanceStatus.Completed }, 2, "COMPLETED")]
    [InlineData(new[] { InstanceStatus.Running, InstanceStatus.Creating }, 2, "CREATING")]
    [InlineData(new[] { InstanceStatus.Running, InstanceStatus.NodeScheduled, InstanceStatus.Requested }, 3, "REQUESTED")]
    [InlineData(new[] { InstanceStatus.Running, InstanceStatus.Failed }, 2, "FAILED")]
    [InlineData(new[] { InstanceStatus.Dead, InstanceStatus.Requested }, 2, "DEAD")]
    [InlineData(new[] { InstanceStatus.Failed, InstanceStatus.Dead }, 2, "FAILED")]
    [InlineData(new[] { InstanceStatus.Failed, InstanceStatus.NoWorkerCapacity }, 2, "NO_WORKER_CAPACITY")]
    [InlineData(new[] { InstanceStatus.Running, InstanceStatus.TargetClusterNotFound }, 2, "TargetClusterNotFound")]
    [InlineData(new[] { InstanceStatus.Running, InstanceStatus.Completed }, 2, "RUNNING")]
    [InlineData(new[] { InstanceStatus.Completed, InstanceStatus.Undeployed }, 2, "COMPLETED")]
    public void Derive_ShowsTheInstanceFurthestFromRunning(InstanceStatus[] instances, int desired, string expected)
    {
        ServiceStatus.Derive(instances, desired).ShouldBe(expected);
    }
}
