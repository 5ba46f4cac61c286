using Canopy.Core.Descriptors;

namespace Canopy.Core.Scheduling.Tests;

public class PlacementFilterTests
{
    private static readonly IPlacementAlgorithm FirstFit = PlacementAlgorithms.Get(PlacementAlgorithms.FirstFit);

    private static PlacementResult Place(PlacementRequest request, Candidate candidate, PlacementTier tier = PlacementTier.Cluster) =>
        Placement.Place(request, [candidate], FirstFit, tier);

    public static TheoryData<string, PlacementRequest, Candidate, PlacementTier, FilterReason> Rejected => new()
    {
        { "inactive", Mock.Request(), Mock.Node("a") with { Active = false }, PlacementTier.Cluster, FilterReason.Inactive },
        { "no exec runtime", Mock.Request(virtualization: "exec"), Mock.Node("a") with { Virtualizations = ["container"] }, PlacementTier.Cluster, FilterReason.MissingVirtualization },
        { "no runtime at all", Mock.Request(), Mock.Node("a") with { Virtualizations = [] }, PlacementTier.Cluster, FilterReason.MissingVirtualization },
        { "cpu taken by reservations", Mock.Request(vcpus: 2), Mock.Node("a", vcpus: 4) with { ReservedVcpus = 2.5 }, PlacementTier.Cluster, FilterReason.InsufficientCpu },
        { "cpu too small", Mock.Request(vcpus: 0.5), Mock.Node("a", vcpus: 0.25), PlacementTier.Cluster, FilterReason.InsufficientCpu },
        { "memory taken by reservations", Mock.Request(memoryMb: 1024), Mock.Node("a", memoryMb: 2048) with { ReservedMemoryMb = 1025 }, PlacementTier.Cluster, FilterReason.InsufficientMemory },
        { "direct names another cluster", Mock.Request(constraints: Mock.Direct(cluster: "c9")), Mock.Node("c1"), PlacementTier.Root, FilterReason.NotNamedByDirectConstraint },
        { "direct names another node", Mock.Request(constraints: Mock.Direct(node: "n9;n8")), Mock.Node("n1"), PlacementTier.Cluster, FilterReason.NotNamedByDirectConstraint },
        { "not in allowed clusters", Mock.Request(constraints: new SlaConstraint { Type = "clusters", Allowed = ["c2", "c3"] }), Mock.Node("c1"), PlacementTier.Root, FilterReason.NotInAllowedClusters },
        { "too far", Mock.Request(constraints: Mock.Geo(Mock.Munich, 100)), Mock.Node("a") with { Location = Mock.Berlin }, PlacementTier.Cluster, FilterReason.OutsideGeoThreshold },
        { "no location", Mock.Request(constraints: Mock.Geo(Mock.Munich, 100)), Mock.Node("a"), PlacementTier.Root, FilterReason.OutsideGeoThreshold },
        { "missing addon", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu"] }), Mock.Node("a"), PlacementTier.Cluster, FilterReason.MissingNeeds },
        { "addon label false", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"gpu\": false}") }, PlacementTier.Cluster, FilterReason.MissingNeeds },
        { "addon label \"0\"", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"gpu\": \"0\"}") }, PlacementTier.Cluster, FilterReason.MissingNeeds },
        { "one of two needs", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu", "tpu"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"features\": [\"gpu\"]}") }, PlacementTier.Cluster, FilterReason.MissingNeeds },
        { "privileged exec, not allowed", Mock.Request(virtualization: "exec") with { Privileged = true }, Mock.Node("a") with { Virtualizations = ["exec"] }, PlacementTier.Cluster, FilterReason.PrivilegedNotAllowed },
        { "privileged container, allowed for exec only", Mock.Request() with { Privileged = true }, Mock.Node("a") with { PrivilegedRuntimes = ["exec"] }, PlacementTier.Root, FilterReason.PrivilegedNotAllowed },
        { "inactive comes first", Mock.Request(vcpus: 64), Mock.Node("a") with { Active = false, Virtualizations = [] }, PlacementTier.Cluster, FilterReason.Inactive },
    };

    [Theory]
    [MemberData(nameof(Rejected))]
    public void Place_CandidateThatFailsOneCheck_IsRejectedWithItsReason(
        string scenario, PlacementRequest request, Candidate candidate, PlacementTier tier, FilterReason reason)
    {
        var result = Place(request, candidate, tier);

        result.Succeeded.ShouldBeFalse(scenario);
        var rejection = result.Rejections.ShouldHaveSingleItem();
        rejection.CandidateName.ShouldBe(candidate.Name);
        rejection.Reason.ShouldBe(reason, scenario);
        rejection.Explanation.ShouldNotBeNullOrWhiteSpace();
    }

    public static TheoryData<string, PlacementRequest, Candidate, PlacementTier> Accepted => new()
    {
        { "plain fit", Mock.Request(), Mock.Node("a"), PlacementTier.Cluster },
        { "privileged where allowed", Mock.Request() with { Privileged = true }, Mock.Node("a") with { PrivilegedRuntimes = ["docker"] }, PlacementTier.Cluster },
        { "exact fit", Mock.Request(vcpus: 4, memoryMb: 4096), Mock.Node("a"), PlacementTier.Cluster },
        { "fractional reservations add up", Mock.Request(vcpus: 0.3), Mock.Node("a", vcpus: 1) with { ReservedVcpus = 0.1 + 0.2 + 0.4 }, PlacementTier.Cluster },
        { "zero request on a full node", Mock.Request(vcpus: 0, memoryMb: 0), Mock.Node("a", vcpus: 1, memoryMb: 100) with { ReservedVcpus = 5, ReservedMemoryMb = 500 }, PlacementTier.Cluster },
        { "zero request on a node without capacity", Mock.Request(vcpus: 0, memoryMb: 0), Mock.Node("a", vcpus: 0, memoryMb: 0), PlacementTier.Root },
        { "docker alias on the candidate", Mock.Request(), Mock.Node("a") with { Virtualizations = ["docker"] }, PlacementTier.Cluster },
        { "docker alias in the request", Mock.Request(virtualization: "Docker"), Mock.Node("a") with { Virtualizations = ["container"] }, PlacementTier.Cluster },
        { "unknown runtime matches itself", Mock.Request(virtualization: "crosvm"), Mock.Node("a") with { Virtualizations = ["Crosvm"] }, PlacementTier.Cluster },
        { "direct list, second name", Mock.Request(constraints: Mock.Direct(cluster: "c0; C1")), Mock.Node("c1"), PlacementTier.Root },
        { "direct by alias", Mock.Request(constraints: Mock.Direct(node: "xavier1")), Mock.Node("n1") with { Aliases = ["Xavier1"] }, PlacementTier.Cluster },
        { "direct without a cluster at the root", Mock.Request(constraints: Mock.Direct(node: "n9")), Mock.Node("c1"), PlacementTier.Root },
        { "direct without a node at a cluster", Mock.Request(constraints: Mock.Direct(cluster: "c9")), Mock.Node("n1"), PlacementTier.Cluster },
        { "allowed cluster", Mock.Request(constraints: new SlaConstraint { Type = "clusters", Allowed = ["C1"] }), Mock.Node("c1"), PlacementTier.Root },
        { "clusters ignored at a cluster", Mock.Request(constraints: new SlaConstraint { Type = "clusters", Allowed = ["c2"] }), Mock.Node("n1"), PlacementTier.Cluster },
        { "near enough", Mock.Request(constraints: Mock.Geo(Mock.Munich, 510)), Mock.Node("a") with { Location = Mock.Berlin }, PlacementTier.Cluster },
        { "addon label true", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"GPU\": true}") }, PlacementTier.Cluster },
        { "addon label count", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"gpu\": 2}") }, PlacementTier.Cluster },
        { "addon in features", Mock.Request(constraints: new SlaConstraint { Type = "addons", Needs = ["gpu", "ssd"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"features\": [\"gpu\", \"ssd\"]}") }, PlacementTier.Cluster },
        { "addon in supported_addons", Mock.Request(constraints: new SlaConstraint { Type = "labels", Needs = ["flops"] }), Mock.Node("a") with { Extra = Mock.Extra("{\"supported_addons\": [\"FLOps\"]}") }, PlacementTier.Root },
        { "latency is not filterable", Mock.Request(constraints: new SlaConstraint { Type = "latency", Threshold = 1 }), Mock.Node("a"), PlacementTier.Root },
        { "unknown constraint type", Mock.Request(constraints: new SlaConstraint { Type = "teleport" }), Mock.Node("a"), PlacementTier.Root },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Place_CandidateThatPassesEveryCheck_IsChosen(string scenario, PlacementRequest request, Candidate candidate, PlacementTier tier)
    {
        var result = Place(request, candidate, tier);

        result.Rejections.ShouldBeEmpty(scenario);
        result.Chosen.ShouldBe(candidate);
        result.Failure.ShouldBeNull();
    }

    [Theory]
    [InlineData(0, 10, FilterReason.InsufficientMemory, "insufficient memory (free 10 MB)")]
    [InlineData(3.5, 4096, FilterReason.InsufficientCpu, "insufficient cpu (free 0.5 vcpus)")]
    public void Place_CapacityRejection_ExplainsWhatIsFree(double reservedVcpus, long memoryMb, FilterReason reason, string explanation)
    {
        var candidate = Mock.Node("a", vcpus: 4, memoryMb: memoryMb) with { ReservedVcpus = reservedVcpus };

        var rejection = Place(Mock.Request(vcpus: 1, memoryMb: 64), candidate).Rejections.ShouldHaveSingleItem();

        rejection.Reason.ShouldBe(reason);
        rejection.Explanation.ShouldBe(explanation);
    }

    [Fact]
    public void Place_Success_ListsTheOthersRejectionsAndSaysWhere()
    {
        var result = Placement.Place(Mock.Request(), [Mock.Node("a") with { Active = false }, Mock.Node("b")], FirstFit, PlacementTier.Cluster);

        result.Chosen!.Name.ShouldBe("b");
        result.Rejections.ShouldBe([new Rejection("a", FilterReason.Inactive) { Explanation = "inactive" }]);
        result.Detail.ShouldBe("placed on b by first-fit (1 of 2 candidates feasible)");
    }

    [Fact]
    public void Reserve_AddsTheRequestToTheCandidate()
    {
        var candidate = Mock.Node("a") with { ReservedVcpus = 0.5, ReservedMemoryMb = 100 };

        var after = Placement.Reserve(candidate, Mock.Request(vcpus: 1, memoryMb: 64));

        after.ReservedVcpus.ShouldBe(1.5);
        after.ReservedMemoryMb.ShouldBe(164);
        after.FreeVcpus.ShouldBe(2.5);
        after.FreeMemoryMb.ShouldBe(4096 - 164);
    }
}
