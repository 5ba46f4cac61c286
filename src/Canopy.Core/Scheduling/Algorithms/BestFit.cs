namespace Canopy.Core.Scheduling.Algorithms;

/// <summary>
/// Oakestra's ROM best fit — the candidate with the most CPU and memory left after the placement — with its bug fixed:
/// Oakestra compares <c>(100 − a.cpu%) + b.memory</c> with <c>(100 − b.cpu%) + b.memory</c>, so only CPU% ever counted.
/// </summary>
/// <remarks>
/// Both terms are fractions of the candidate's size so that cores and megabytes weigh the same, and the CPU term is scaled by
/// how idle the candidate is right now (<c>1 − cpu%/100</c>): reservations only know what Canopy placed, the live load also
/// sees what else runs there.
/// </remarks>
internal sealed class BestFit : IPlacementAlgorithm
{
    public string Name => PlacementAlgorithms.BestFit;

    public Candidate Pick(PlacementRequest request, IReadOnlyList<Candidate> feasible, long sequence) =>
        CandidateOrder.Best(feasible, c => Score(request, c));

    /// <summary>Higher is better: free CPU fraction × idle fraction + free memory fraction, after the placement.</summary>
    public static double Score(PlacementRequest request, Candidate candidate)
    {
        var cpuLeft = candidate.SchedulableVcpus > 0 ? (candidate.FreeVcpus - Math.Max(0, request.Vcpus)) / candidate.SchedulableVcpus : 0;
        var memoryLeft = candidate.MemoryMb > 0
            ? (double)(candidate.FreeMemoryMb - Math.Max(0, request.MemoryMb)) / candidate.MemoryMb
            : 0;
        var idle = 1 - (Math.Clamp(candidate.CpuPercent, 0, 100) / 100);
        return (cpuLeft * idle) + memoryLeft;
    }
}
