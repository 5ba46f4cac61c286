using Canopy.Core.Scheduling.Algorithms;

namespace Canopy.Core.Scheduling.Tests;

public class AlgorithmTests
{
    // A fixed table on which the four algorithms disagree:
    // bravo has the most cores but is busy and small in memory; alpha is mid-sized and quiet;
    // charlie is the largest in memory, with 85% of it in use and 2 cores already reserved.
    private static readonly Candidate Alpha = Mock.Node("alpha", vcpus: 4, memoryMb: 4096) with { CpuPercent = 20, MemoryPercent = 50 };
    private static readonly Candidate Bravo = Mock.Node("bravo", vcpus: 16, memoryMb: 4096) with { CpuPercent = 80, MemoryPercent = 20 };
    private static readonly Candidate Charlie = Mock.Node("charlie", vcpus: 8, memoryMb: 16384) with
    {
        CpuPercent = 30,
        MemoryPercent = 85,
        ReservedVcpus = 2,
        ReservedMemoryMb = 1024,
    };

    private static readonly Candidate[] Table = [Bravo, Charlie, Alpha];

    [Theory]
    [InlineData(PlacementAlgorithms.BestFit, 0, "alpha")]
    [InlineData(PlacementAlgorithms.FirstFit, 0, "bravo")]
    [InlineData(PlacementAlgorithms.RoundRobin, 0, "alpha")]
    [InlineData(PlacementAlgorithms.RoundRobin, 1, "bravo")]
    [InlineData(PlacementAlgorithms.RoundRobin, 2, "charlie")]
    [InlineData(PlacementAlgorithms.RoundRobin, 3, "alpha")]
    [InlineData(PlacementAlgorithms.RoundRobin, 3001, "bravo")]
    [InlineData(PlacementAlgorithms.RoundRobin, -1, "charlie")]
    [InlineData(PlacementAlgorithms.Epvm, 0, "charlie")]
    public void Pick_FixedTable_ChoosesTheExpectedCandidate(string algorithm, long sequence, string expected)
    {
        var result = Placement.Place(Mock.Request(vcpus: 1, memoryMb: 512), Table, PlacementAlgorithms.Get(algorithm), PlacementTier.Cluster, sequence);

        result.Chosen.ShouldNotBeNull().Name.ShouldBe(expected);
    }

    [Theory]
    [InlineData("alpha", 1.475)]
    [InlineData("bravo", 1.0625)]
    [InlineData("charlie", 1.34375)]
    public void BestFit_Score_IsFreeCpuTimesIdlePlusFreeMemory(string name, double score)
    {
        BestFit.Score(Mock.Request(vcpus: 1, memoryMb: 512), Table.Single(c => c.Name == name)).ShouldBe(score, 1e-12);
    }

    [Fact]
    public void BestFit_CountsMemory_UnlikeOakestrasComparison()
    {
        // Oakestra's comparison reduces to "lowest CPU%", which picks the idle node with almost no memory left.
        var idleButSmall = Mock.Node("idle", vcpus: 4, memoryMb: 1024);
        var busierButRoomy = Mock.Node("roomy", vcpus: 4, memoryMb: 16384) with { CpuPercent = 5 };

        Pick(PlacementAlgorithms.BestFit, Mock.Request(vcpus: 1, memoryMb: 512), idleButSmall, busierButRoomy).Name.ShouldBe("roomy");
    }

    [Fact]
    public void BestFit_BusyNode_ScoresLower()
    {
        Pick(PlacementAlgorithms.BestFit, Mock.Request(), Mock.Node("busy") with { CpuPercent = 90 }, Mock.Node("quiet") with { CpuPercent = 10 })
            .Name.ShouldBe("quiet");
    }

    [Fact]
    public void BestFit_Reservations_LowerTheScore()
    {
        Pick(PlacementAlgorithms.BestFit, Mock.Request(), Mock.Node("a") with { ReservedVcpus = 2 }, Mock.Node("b"))
            .Name.ShouldBe("b");
    }

    [Theory]
    [InlineData(PlacementAlgorithms.BestFit)]
    [InlineData(PlacementAlgorithms.Epvm)]
    public void Pick_Tie_GoesToTheFirstName(string algorithm)
    {
        Pick(algorithm, Mock.Request(), Mock.Node("n2"), Mock.Node("n10"), Mock.Node("n1")).Name.ShouldBe("n1");
    }

    [Fact]
    public void RoundRobin_OrderIsByNameNotByInput()
    {
        var forward = Pick(PlacementAlgorithms.RoundRobin, Mock.Request(), 1, Mock.Node("a"), Mock.Node("b"), Mock.Node("c"));
        var backward = Pick(PlacementAlgorithms.RoundRobin, Mock.Request(), 1, Mock.Node("c"), Mock.Node("b"), Mock.Node("a"));

        forward.Name.ShouldBe("b");
        backward.Name.ShouldBe("b");
    }

    [Fact]
    public void RoundRobin_Sequence_VisitsEveryCandidateInTurn()
    {
        var candidates = new[] { Mock.Node("c"), Mock.Node("a"), Mock.Node("b") };

        Enumerable.Range(0, 6).Select(i => Pick(PlacementAlgorithms.RoundRobin, Mock.Request(), i, candidates).Name)
            .ShouldBe(["a", "b", "c", "a", "b", "c"]);
    }

    [Fact]
    public void Epvm_Cost_IsTheRiseInExponentialLoad()
    {
        // alpha: cpu 0.2 → 0.45, memory 0.5 → 0.625.
        var expected = Math.Pow(Epvm.Lieb, 0.45) - Math.Pow(Epvm.Lieb, 0.2) + Math.Pow(Epvm.Lieb, 0.625) - Math.Pow(Epvm.Lieb, 0.5);

        Epvm.Cost(Mock.Request(vcpus: 1, memoryMb: 512), Alpha).ShouldBe(expected, 1e-12);
    }

    [Fact]
    public void Epvm_LoadedNode_CostsMoreForTheSameRequest()
    {
        var request = Mock.Request(vcpus: 1, memoryMb: 512);

        Epvm.Cost(request, Mock.Node("a") with { CpuPercent = 80, MemoryPercent = 80 })
            .ShouldBeGreaterThan(Epvm.Cost(request, Mock.Node("a")));
    }

    [Fact]
    public void Epvm_ZeroCapacity_DoesNotDivideByZero()
    {
        Epvm.Cost(Mock.Request(vcpus: 0, memoryMb: 0), Mock.Node("a", vcpus: 0, memoryMb: 0)).ShouldBe(0);
        BestFit.Score(Mock.Request(vcpus: 0, memoryMb: 0), Mock.Node("a", vcpus: 0, memoryMb: 0)).ShouldBe(0);
    }

    private static Candidate Pick(string algorithm, PlacementRequest request, params Candidate[] feasible) =>
        Pick(algorithm, request, 0, feasible);

    private static Candidate Pick(string algorithm, PlacementRequest request, long sequence, params Candidate[] feasible) =>
        PlacementAlgorithms.Get(algorithm).Pick(request, feasible, sequence);
}
