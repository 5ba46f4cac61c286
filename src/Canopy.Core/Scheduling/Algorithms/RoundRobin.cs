namespace Canopy.Core.Scheduling.Algorithms;

/// <summary>
/// Takes turns: the feasible candidates sorted by name, the <c>sequence</c>-th of them (modulo their number).
/// The tier owns the counter, so the choice is a pure function of its inputs (the book's version keeps it in the scheduler).
/// </summary>
/// <remarks>
/// Only one position of that order is needed, so it is found without sorting: at once when the candidates already come in
/// name order, otherwise by selection (quickselect, linear on average), which at 5,000 candidates is several times faster than
/// the sort. Equal names and ids keep the order they came in, as the stable sort did.
/// </remarks>
internal sealed class RoundRobin : IPlacementAlgorithm
{
    public string Name => PlacementAlgorithms.RoundRobin;

    public Candidate Pick(PlacementRequest request, IReadOnlyList<Candidate> feasible, long sequence)
    {
        var count = feasible.Count;
        var index = (int)(((sequence % count) + count) % count);
        return IsInOrder(feasible) ? feasible[index] : feasible[Select(feasible, index)];
    }

    private static bool IsInOrder(IReadOnlyList<Candidate> candidates)
    {
        for (var i = 1; i < candidates.Count; i++)
        {
            if (CandidateOrder.ByName.Compare(candidates[i - 1], candidates[i]) > 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The position in <paramref name="candidates"/> of the one that a stable sort by name would put at <paramref name="rank"/>.</summary>
    private static int Select(IReadOnlyList<Candidate> candidates, int rank)
    {
        var positions = new int[candidates.Count];
        for (var i = 0; i < positions.Length; i++)
        {
            positions[i] = i;
        }

        var (low, high) = (0, positions.Length - 1);
        while (low < high)
        {
            var pivot = positions[low + ((high - low) / 2)];
            var (left, right) = (low, high);
            while (left <= right)
            {
                while (Compare(candidates, positions[left], pivot) < 0)
                {
                    left++;
                }

                while (Compare(candidates, positions[right], pivot) > 0)
                {
                    right--;
                }

                if (left <= right)
                {
                    (positions[left], positions[right]) = (positions[right], positions[left]);
                    left++;
                    right--;
                }
            }

            // [low, right] come before the pivot, [left, high] after it, and what lies between is the pivot itself.
            if (rank <= right)
            {
                high = right;
            }
            else if (rank >= left)
            {
                low = left;
            }
            else
            {
                return positions[rank];
            }
        }

        return positions[rank];
    }

    /// <summary>By name, then id, then where it came: a total order, so the selection has one answer, the stable sort's.</summary>
    private static int Compare(IReadOnlyList<Candidate> candidates, int a, int b)
    {
        var byName = CandidateOrder.ByName.Compare(candidates[a], candidates[b]);
        return byName != 0 ? byName : a.CompareTo(b);
    }
}
