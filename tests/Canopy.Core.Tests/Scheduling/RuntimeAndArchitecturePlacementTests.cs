using Canopy.Core.States;

namespace Canopy.Core.Scheduling.Tests;

/// <summary>wasm and vm are placed like Canopy's other runtimes; a service's <c>arch</c> keeps it to candidates of those architectures.</summary>
public class RuntimeAndArchitecturePlacementTests
{
    private static readonly IPlacementAlgorithm BestFit = PlacementAlgorithms.Get(PlacementAlgorithms.BestFit);

    private static PlacementResult Place(PlacementRequest request, PlacementTier tier, params Candidate[] candidates) =>
        Placement.Place(request, candidates, BestFit, tier);

    private static Candidate Node(string name, string architecture, params string[] runtimes) =>
        Mock.Node(name) with { Architectures = [architecture], Virtualizations = runtimes.Length == 0 ? ["container", "exec"] : runtimes };

    [Theory]
    [InlineData("wasm")]
    [InlineData("vm")]
    public void OwnRuntime_IsPlacedOnlyWhereOffered(string runtime)
    {
        var result = Place(Mock.Request(virtualization: runtime), PlacementTier.Cluster,
            Node("plain", "amd64"), Node("able", "amd64", "exec", runtime));

        result.Chosen!.Name.ShouldBe("able");
        result.Rejections.ShouldHaveSingleItem().Explanation.ShouldBe($"has no {runtime} runtime");
    }

    [Fact]
    public void Root_WasmNoClusterOffers_NamesTheRuntimeAndWhyAClusterCannotUseIt()
    {
        var result = Place(Mock.Request(virtualization: "wasm"), PlacementTier.Root,
            Mock.Node("c1"),
            Mock.Node("c2") with { UnavailableRuntimes = new Dictionary<string, string> { ["wasm"] = "node w1: wasmtime is not installed" } });

        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldBe(
            "no cluster offers runtime wasm (clusters offer container, exec): c2 has no usable wasm runtime (node w1: wasmtime is not installed)");
    }

    [Fact]
    public void Root_UnikernelAsksForVm_AndAClusterListingUnikernelOffersIt()
    {
        var result = Place(Mock.Request(virtualization: "vm"), PlacementTier.Root,
            Mock.Node("c1"), Mock.Node("c2") with { Virtualizations = ["exec", "unikernel"] });

        result.Chosen!.Name.ShouldBe("c2");
    }

    [Fact]
    public void Architecture_OnlyACandidateOfOneOfThemQualifies()
    {
        var request = Mock.Request(virtualization: "exec") with { Architectures = ["arm64", "riscv64"] };

        var result = Place(request, PlacementTier.Cluster, Node("x86", "amd64"), Node("pi", "aarch64"), Node("bare", "amd64") with { Architectures = [] });

        result.Chosen!.Name.ShouldBe("pi");
        result.Rejections.Select(r => (r.CandidateName, r.Reason, r.Explanation)).ShouldBe(
        [
            ("x86", FilterReason.MissingArchitecture, "architecture amd64, service needs arm64 or riscv64"),
            ("bare", FilterReason.MissingArchitecture, "reports no architecture, service needs arm64 or riscv64"),
        ]);
    }

    [Fact]
    public void Architecture_SpelledTheUnameWay_MatchesTheGoName()
    {
        var request = Mock.Request() with { Architectures = ["x86_64"] };

        Place(request, PlacementTier.Cluster, Node("a", "amd64")).Chosen!.Name.ShouldBe("a");
    }

    [Fact]
    public void Root_NoClusterHasTheArchitecture_NamesIt()
    {
        var request = Mock.Request() with { Architectures = ["arm64"] };

        var result = Place(request, PlacementTier.Root, Node("c1", "amd64"), Node("c2", "amd64") with { Active = false });

        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldBe("no cluster has architecture arm64 (clusters have amd64)");
    }

    [Fact]
    public void Root_RuntimeMissingToo_NamesTheRuntimeFirst()
    {
        var request = Mock.Request(virtualization: "wasm") with { Architectures = ["arm64"] };

        var result = Place(request, PlacementTier.Root, Node("c1", "amd64"));

        result.Detail.ShouldBe("no cluster offers runtime wasm (clusters offer container, exec)");
    }

    [Fact]
    public void Cluster_NoWorkerHasTheArchitecture_IsNoQualifiedWorkerFoundNamingIt()
    {
        var request = Mock.Request() with { Architectures = ["arm64"] };

        var result = Place(request, PlacementTier.Cluster, Node("w1", "amd64"), Node("w2", "386"));

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldBe("no worker has architecture arm64 (workers have 386, amd64)");
    }

    [Fact]
    public void Cluster_TheArchitectureOnAWorkerWithoutTheRuntime_ListsEachWorkersReason()
    {
        var request = Mock.Request(virtualization: "vm") with { Architectures = ["arm64"] };

        var result = Place(request, PlacementTier.Cluster, Node("pi", "arm64", "exec"), Node("x86", "amd64", "exec", "vm"));

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldBe("no worker qualifies for 1 vcpus / 64 MB: pi has no vm runtime, x86 architecture amd64, service needs arm64");
    }
}
