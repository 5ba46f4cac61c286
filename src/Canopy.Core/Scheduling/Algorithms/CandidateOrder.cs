namespace Canopy.Core.Scheduling.Algorithms;

/// <summary>The one deterministic order of candidates used for ties and rotation: by name, then id (ordinal, culture-free).</summary>
internal static class CandidateOrder
{
    public static readonly IComparer<Candidate> ByName = Comparer<Candidate>.Create((a, b) =>
    {
        var byName = string.CompareOrdinal(a.Name, b.Name);
        return byName != 0 ? byName : string.CompareOrdinal(a.Id, b.Id);
    });

    /// <summary>Scores closer than this are a tie: float noise must not decide between two equal nodes.</summary>
    public const double ScoreTolerance = 1e-12;

    /// <summary>The candidate with the highest score; ties go to the first by <see cref="ByName"/>.</summary>
    public static Candidate Best(IReadOnlyList<Candidate> feasible, Func<Candidate, double> score)
    {
        var best = feasible[0];
        var bestScore = score(best);
        for (var i = 1; i < feasible.Count; i++)
        {
            var candidate = feasible[i];
            var candidateScore = score(candidate);
            var better = candidateScore > bestScore + ScoreTolerance ||
                         (Math.Abs(candidateScore - bestScore) <= ScoreTolerance && ByName.Compare(candidate, best) < 0);
            if (better)
            {
                (best, bestScore) = (candidate, candidateScore);
            }
        }

        return best;
    }
}
