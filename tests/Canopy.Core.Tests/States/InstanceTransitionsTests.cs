namespace Canopy.Core.States.Tests;

public class InstanceTransitionsTests
{
    // The documented table, written out again independently: a change to InstanceTransitions must change this too.
    private static readonly InstanceStatus[] NegativeRoot =
    [
        InstanceStatus.NoActiveClusterWithCapacity, InstanceStatus.TargetClusterNotFound,
        InstanceStatus.TargetClusterNotActive, InstanceStatus.TargetClusterNoCapacity,
    ];

    private static readonly InstanceStatus[] NegativeCluster = [InstanceStatus.NoWorkerCapacity, InstanceStatus.NoQualifiedWorkerFound];

    private static readonly InstanceStatus[] FromNegative =
    [
        InstanceStatus.Requested, InstanceStatus.ClusterScheduled, InstanceStatus.NodeScheduled, .. NegativeRoot, .. NegativeCluster,
        InstanceStatus.Undeployed,
    ];

    private static readonly Dictionary<InstanceStatus, InstanceStatus[]> Expected = new()
    {
        [InstanceStatus.Requested] = [InstanceStatus.ClusterScheduled, .. NegativeRoot, InstanceStatus.Undeployed],
        [InstanceStatus.ClusterScheduled] =
            [InstanceStatus.NodeScheduled, .. NegativeCluster, InstanceStatus.Requested, InstanceStatus.Failed, InstanceStatus.Undeployed],
        [InstanceStatus.NodeScheduled] =
            [InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Failed, InstanceStatus.Dead, InstanceStatus.Completed,
             InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
        [InstanceStatus.Creating] =
            [InstanceStatus.Running, InstanceStatus.Failed, InstanceStatus.Dead, InstanceStatus.Completed,
             InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
        [InstanceStatus.Running] =
            [InstanceStatus.Dead, InstanceStatus.Failed, InstanceStatus.Completed, InstanceStatus.Creating,
             InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
        [InstanceStatus.Dead] =
            [InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Failed, InstanceStatus.Completed,
             InstanceStatus.ClusterScheduled, InstanceStatus.Requested, InstanceStatus.Undeployed],
        [InstanceStatus.Failed] =
            [InstanceStatus.Creating, InstanceStatus.Running, InstanceStatus.Dead,
             InstanceStatus.ClusterScheduled, InstanceStatus.Requested, .. NegativeCluster, InstanceStatus.Undeployed],
        [InstanceStatus.Completed] = [InstanceStatus.Undeployed],
        [InstanceStatus.Undeployed] = [],
        [InstanceStatus.NoActiveClusterWithCapacity] = FromNegative,
        [InstanceStatus.TargetClusterNotFound] = FromNegative,
        [InstanceStatus.TargetClusterNotActive] = FromNegative,
        [InstanceStatus.TargetClusterNoCapacity] = FromNegative,
        [InstanceStatus.NoWorkerCapacity] = FromNegative,
        [InstanceStatus.NoQualifiedWorkerFound] = FromNegative,
    };

    public static TheoryData<InstanceStatus, InstanceStatus, bool> EveryPair()
    {
        var data = new TheoryData<InstanceStatus, InstanceStatus, bool>();
        foreach (var from in Enum.GetValues<InstanceStatus>())
        {
            foreach (var to in Enum.GetValues<InstanceStatus>())
            {
                data.Add(from, to, from == to || Expected[from].Contains(to));
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryPair))]
    public void IsAllowed_EveryPair_FollowsTheTable(InstanceStatus from, InstanceStatus to, bool allowed)
    {
        InstanceTransitions.IsAllowed(from, to).ShouldBe(allowed);
    }

    [Fact]
    public void Table_CoversEveryStatus()
    {
        Expected.Keys.ShouldBe(Enum.GetValues<InstanceStatus>(), ignoreOrder: true);
    }

    [Theory]
    [InlineData(InstanceStatus.Requested)]
    [InlineData(InstanceStatus.Running)]
    [InlineData(InstanceStatus.Completed)]
    [InlineData(InstanceStatus.Undeployed)]
    [InlineData(InstanceStatus.NoWorkerCapacity)]
    public void IsAllowed_RepeatedStatus_IsAlwaysAllowed(InstanceStatus status)
    {
        InstanceTransitions.IsAllowed(status, status).ShouldBeTrue();
    }

    [Fact]
    public void From_Undeployed_IsEmpty()
    {
        InstanceTransitions.From(InstanceStatus.Undeployed).ShouldBeEmpty();
    }

    [Fact]
    public void From_Completed_OnlyLeadsToUndeployed()
    {
        InstanceTransitions.From(InstanceStatus.Completed).ShouldBe([InstanceStatus.Undeployed]);
    }

    [Theory]
    [InlineData(InstanceStatus.Completed, true)]
    [InlineData(InstanceStatus.Undeployed, true)]
    [InlineData(InstanceStatus.Dead, false)]
    [InlineData(InstanceStatus.Failed, false)]
    [InlineData(InstanceStatus.Running, false)]
    public void IsTerminal_OnlyCompletedAndUndeployed(InstanceStatus status, bool terminal)
    {
        status.IsTerminal().ShouldBe(terminal);
    }

    [Fact]
    public void IsNegativeScheduling_MatchesTheNegativeStatuses()
    {
        Enum.GetValues<InstanceStatus>().Where(s => s.IsNegativeScheduling())
            .ShouldBe([.. NegativeRoot, .. NegativeCluster], ignoreOrder: true);
    }

    [Theory]
    [InlineData(InstanceStatus.Requested, "REQUESTED")]
    [InlineData(InstanceStatus.NodeScheduled, "NODE_SCHEDULED")]
    [InlineData(InstanceStatus.NoActiveClusterWithCapacity, "NoActiveClusterWithCapacity")]
    [InlineData(InstanceStatus.NoWorkerCapacity, "NO_WORKER_CAPACITY")]
    [InlineData(InstanceStatus.NoQualifiedWorkerFound, "NO_QUALIFIED_WORKER_FOUND")]
    public void WireName_RoundTrips(InstanceStatus status, string wire)
    {
        status.ToWireName().ShouldBe(wire);
        InstanceStatusExtensions.TryParseWireName(wire.ToLowerInvariant(), out var parsed).ShouldBeTrue();
        parsed.ShouldBe(status);
    }

    [Fact]
    public void TryParseWireName_Unknown_IsFalse()
    {
        InstanceStatusExtensions.TryParseWireName("SLEEPING", out _).ShouldBeFalse();
        InstanceStatusExtensions.TryParseWireName(null, out _).ShouldBeFalse();
    }
}
