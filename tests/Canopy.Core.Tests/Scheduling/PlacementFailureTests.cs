using Canopy.Core.States;

namespace Canopy.Core.Scheduling.Tests;

public class PlacementFailureTests
{
    private static readonly IPlacementAlgorithm BestFit = PlacementAlgorithms.Get(PlacementAlgorithms.BestFit);

    private static PlacementResult Place(PlacementRequest request, PlacementTier tier, params Candidate[] candidates) =>
        Placement.Place(request, candidates, BestFit, tier);

    [Fact]
    public void Root_NothingFits_IsNoActiveClusterWithCapacityWithEveryReason()
    {
        var result = Place(Mock.Request(vcpus: 1, memoryMb: 64), PlacementTier.Root,
            Mock.Node("c1", memoryMb: 10), Mock.Node("c2") with { Active = false });

        result.Succeeded.ShouldBeFalse();
        result.Chosen.ShouldBeNull();
        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldBe("no active cluster can take 1 vcpus / 64 MB: c1 insufficient memory (free 10 MB), c2 inactive");
    }

    [Fact]
    public void Root_NoClusters_IsNoActiveClusterWithCapacity()
    {
        var result = Place(Mock.Request(), PlacementTier.Root);

        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldContain("no cluster is registered");
    }

    [Fact]
    public void Root_RuntimeNoClusterOffers_SaysSoWhateverTheirCapacity()
    {
        var result = Place(Mock.Request(virtualization: "crosvm"), PlacementTier.Root,
            Mock.Node("c1"), Mock.Node("c2") with { Active = false, Virtualizations = ["exec"] });

        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldBe("no cluster offers runtime crosvm (clusters offer container, exec)");
    }

    [Fact]
    public void Root_ARuntimeAClusterHasButCannotUse_SaysWhy()
    {
        var result = Place(Mock.Request(virtualization: "container"), PlacementTier.Root,
            Mock.Node("c1") with
            {
                Virtualizations = ["exec"],
                UnavailableRuntimes = new Dictionary<string, string> { ["container"] = "node w1: /bin/busybox is dynamically linked" },
            });

        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldBe(
            "no cluster offers runtime container (clusters offer exec): c1 has no usable container runtime (node w1: /bin/busybox is dynamically linked)");
    }

    [Fact]
    public void Root_ForeignRuntimeWithoutClusters_SaysNoClusterOffersIt()
    {
        var result = Place(Mock.Request(virtualization: "crosvm"), PlacementTier.Root);

        result.Failure.ShouldBe(InstanceStatus.NoActiveClusterWithCapacity);
        result.Detail.ShouldBe("no cluster offers runtime crosvm: no cluster is registered");
    }

    [Fact]
    public void Root_DirectToUnknownCluster_IsTargetClusterNotFound()
    {
        var result = Place(Mock.Request(constraints: Mock.Direct(cluster: "gpu")), PlacementTier.Root, Mock.Node("c1"), Mock.Node("c2"));

        result.Failure.ShouldBe(InstanceStatus.TargetClusterNotFound);
        result.Detail.ShouldBe("the direct constraint names cluster gpu, which is not registered (clusters: c1, c2)");
    }

    [Fact]
    public void Root_DirectToInactiveCluster_IsTargetClusterNotActive()
    {
        var result = Place(Mock.Request(constraints: Mock.Direct(cluster: "gpu")), PlacementTier.Root,
            Mock.Node("c1"), Mock.Node("gpu") with { Active = false });

        result.Failure.ShouldBe(InstanceStatus.TargetClusterNotActive);
        result.Detail.ShouldContain("gpu is not active");
    }

    [Fact]
    public void Root_DirectToFullCluster_IsTargetClusterNoCapacityAndOnlyNamesTheTarget()
    {
        var result = Place(Mock.Request(vcpus: 2, constraints: Mock.Direct(cluster: "gpu")), PlacementTier.Root,
            Mock.Node("c1"), Mock.Node("gpu", vcpus: 1));

        result.Failure.ShouldBe(InstanceStatus.TargetClusterNoCapacity);
        result.Detail.ShouldBe("target cluster gpu cannot take 2 vcpus / 64 MB: gpu insufficient cpu (free 1 vcpus)");
    }

    [Fact]
    public void Root_DirectToClusterWithoutTheRuntime_IsTargetClusterNoCapacity()
    {
        var result = Place(Mock.Request(virtualization: "exec", constraints: Mock.Direct(cluster: "gpu")), PlacementTier.Root,
            Mock.Node("gpu") with { Virtualizations = ["container"] });

        result.Failure.ShouldBe(InstanceStatus.TargetClusterNoCapacity);
        result.Rejections.ShouldHaveSingleItem().Reason.ShouldBe(FilterReason.MissingVirtualization);
    }

    [Fact]
    public void Cluster_ResourcesOnly_IsNoWorkerCapacity()
    {
        var result = Place(Mock.Request(vcpus: 8), PlacementTier.Cluster, Mock.Node("w1"), Mock.Node("w2") with { Active = false });

        result.Failure.ShouldBe(InstanceStatus.NoWorkerCapacity);
        result.Detail.ShouldBe("no worker can take 8 vcpus / 64 MB: w1 insufficient cpu (free 4 vcpus), w2 inactive");
    }

    [Fact]
    public void Cluster_NoWorkers_IsNoWorkerCapacity()
    {
        var result = Place(Mock.Request(), PlacementTier.Cluster);

        result.Failure.ShouldBe(InstanceStatus.NoWorkerCapacity);
        result.Detail.ShouldContain("the cluster has no workers");
    }

    [Fact]
    public void Cluster_DirectToUnknownNode_IsNoQualifiedWorkerFound()
    {
        var result = Place(Mock.Request(constraints: Mock.Direct(node: "xavier1")), PlacementTier.Cluster, Mock.Node("w1"));

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldBe("the direct constraint names node xavier1, which is not a worker of this cluster (workers: w1)");
    }

    [Fact]
    public void Cluster_DirectToFullNode_IsNoQualifiedWorkerFound()
    {
        var result = Place(Mock.Request(memoryMb: 8192, constraints: Mock.Direct(node: "w1")), PlacementTier.Cluster,
            Mock.Node("w1"), Mock.Node("w2", memoryMb: 16384));

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldBe("target node w1 cannot take 1 vcpus / 8192 MB: w1 insufficient memory (free 4096 MB)");
    }

    [Fact]
    public void Cluster_NoWorkerHasTheRuntime_IsNoQualifiedWorkerFound()
    {
        var result = Place(Mock.Request(virtualization: "exec"), PlacementTier.Cluster,
            Mock.Node("w1") with { Virtualizations = ["container"] }, Mock.Node("w2") with { Virtualizations = ["container"] });

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldBe("no worker qualifies for 1 vcpus / 64 MB: w1 has no exec runtime, w2 has no exec runtime");
    }

    [Fact]
    public void Cluster_ARuntimeTheWorkerHasButCannotUse_SaysWhy()
    {
        var result = Place(Mock.Request(virtualization: "container"), PlacementTier.Cluster,
            Mock.Node("w1") with
            {
                Virtualizations = ["exec"],
                UnavailableRuntimes = new Dictionary<string, string> { ["container"] = "/bin/busybox is dynamically linked" },
            });

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldBe("no worker qualifies for 1 vcpus / 64 MB: w1 has no usable container runtime (/bin/busybox is dynamically linked)");
    }

    [Fact]
    public void Cluster_GeoExcludesEveryWorker_IsNoQualifiedWorkerFound()
    {
        var result = Place(Mock.Request(constraints: Mock.Geo(Mock.Munich, 50)), PlacementTier.Cluster,
            Mock.Node("w1") with { Location = Mock.Berlin }, Mock.Node("w2"));

        result.Failure.ShouldBe(InstanceStatus.NoQualifiedWorkerFound);
        result.Detail.ShouldContain("w1 504 km from 48.1374,11.5755 (limit 50 km)");
        result.Detail.ShouldContain("w2 has no location");
    }

    [Fact]
    public void Cluster_OneQualifiedButFullWorker_IsNoWorkerCapacity()
    {
        var result = Place(Mock.Request(virtualization: "exec", vcpus: 2), PlacementTier.Cluster,
            Mock.Node("w1") with { Virtualizations = ["container"] }, Mock.Node("w2", vcpus: 1));

        result.Failure.ShouldBe(InstanceStatus.NoWorkerCapacity);
    }

    [Fact]
    public void Detail_ManyRejections_IsCappedAndSaysHowManyWereLeftOut()
    {
        var candidates = Enumerable.Range(0, 100).Select(i => Mock.Node($"worker-{i:000}", memoryMb: 10)).ToArray();

        var result = Place(Mock.Request(), PlacementTier.Cluster, candidates);

        result.Failure.ShouldBe(InstanceStatus.NoWorkerCapacity);
        result.Rejections.Count.ShouldBe(100);
        result.Detail.Length.ShouldBeLessThanOrEqualTo(400);
        result.Detail.ShouldStartWith("no worker can take 1 vcpus / 64 MB: worker-000 insufficient memory (free 10 MB), ");
        result.Detail.ShouldMatch(@", and \d+ more$");
    }
}
