using Canopy.Core.States;

namespace Canopy.Core.Scheduling.Tests;

/// <summary>
/// Safety property over generated inputs: placing requests one after another, each reserved on the candidate it lands on,
/// never over-commits a candidate; and a refusal only happens when no active candidate had room.
/// </summary>
public class ReservationPropertyTests
{
    private static readonly double[] CpuSizes = [0, 0.1, 0.25, 0.5, 1, 2, 3];
    private static readonly int[] MemorySizes = [0, 32, 64, 128, 512, 1024, 3000];

    [Theory]
    [InlineData(PlacementAlgorithms.BestFit, PlacementTier.Cluster)]
    [InlineData(PlacementAlgorithms.FirstFit, PlacementTier.Cluster)]
    [InlineData(PlacementAlgorithms.RoundRobin, PlacementTier.Root)]
    [InlineData(PlacementAlgorithms.Epvm, PlacementTier.Root)]
    public void Place_SequentialReservations_NeverOverCommit(string algorithmName, PlacementTier tier)
    {
        var random = new Random(42);
        var algorithm = PlacementAlgorithms.Get(algorithmName);
        var placements = 0;
        var refusals = 0;
        var violations = new List<string>();

        for (var run = 0; run < 200; run++)
        {
            var candidates = Enumerable.Range(0, random.Next(1, 8)).Select(i => RandomCandidate(random, i)).ToList();
            var requests = random.Next(1, 40);
            for (var sequence = 0; sequence < requests; sequence++)
            {
                var request = Mock.Request(CpuSizes[random.Next(CpuSizes.Length)], MemorySizes[random.Next(MemorySizes.Length)],
                    random.Next(4) == 0 ? "exec" : "container");

                var result = Placement.Place(request, candidates, algorithm, tier, sequence);

                if (result.Chosen is { } chosen)
                {
                    placements++;
                    var index = candidates.FindIndex(c => c.Id == chosen.Id);
                    if (!chosen.Active || !Fits(request, candidates[index]))
                    {
                        violations.Add($"run {run}: placed on {chosen.Name}, which could not take it");
                    }

                    candidates[index] = Placement.Reserve(candidates[index], request);
                }
                else
                {
                    refusals++;
                    if (result.Failure?.IsNegativeScheduling() != true || candidates.Any(c => c.Active && Fits(request, c)))
                    {
                        violations.Add($"run {run}: refused with {result.Failure} although a candidate had room");
                    }
                }

                // Checked with plain comparisons and reported at the end: thousands of assertions would dominate the run time.
                violations.AddRange(candidates
                    .Where(c => c.ReservedVcpus > c.Vcpus + 1e-6 || c.ReservedMemoryMb > c.MemoryMb)
                    .Select(c => $"run {run}: {c.Name} over-committed ({c.ReservedVcpus}/{c.Vcpus} vcpus, {c.ReservedMemoryMb}/{c.MemoryMb} MB)"));
            }
        }

        violations.Count.ShouldBe(0, $"first violations:\n{string.Join("\n", violations.Take(10))}");

        // The generator must exercise both outcomes, or the property says nothing.
        placements.ShouldBeGreaterThan(800);
        refusals.ShouldBeGreaterThan(80);
    }

    [Fact]
    public void Place_SameInputs_SameDecision()
    {
        var random = new Random(42);
        var candidates = Enumerable.Range(0, 6).Select(i => RandomCandidate(random, i)).ToList();
        var request = Mock.Request(0.5, 128);

        foreach (var name in PlacementAlgorithms.Names)
        {
            var algorithm = PlacementAlgorithms.Get(name);
            var first = Placement.Place(request, candidates, algorithm, PlacementTier.Cluster, 7);
            var second = Placement.Place(request, candidates, algorithm, PlacementTier.Cluster, 7);

            second.Chosen?.Id.ShouldBe(first.Chosen?.Id);
            second.Detail.ShouldBe(first.Detail);
        }
    }

    private static bool Fits(PlacementRequest request, Candidate candidate) =>
        candidate.Virtualizations.Contains(request.Virtualization) &&
        (request.Vcpus <= 0 || request.Vcpus <= candidate.FreeVcpus + 1e-9) &&
        (request.MemoryMb <= 0 || request.MemoryMb <= candidate.FreeMemoryMb);

    private static Candidate RandomCandidate(Random random, int index)
    {
        var vcpus = random.Next(1, 17) / 2.0;
        var memory = random.Next(1, 33) * 256L;
        return Mock.Node($"n{index}", vcpus, memory) with
        {
            Active = random.Next(6) != 0,
            CpuPercent = random.Next(0, 101),
            MemoryPercent = random.Next(0, 101),
            ReservedVcpus = Math.Round(random.NextDouble() * vcpus, 2),
            ReservedMemoryMb = random.NextInt64(0, memory + 1),
            Virtualizations = random.Next(3) == 0 ? ["container"] : ["container", "exec"],
        };
    }
}
