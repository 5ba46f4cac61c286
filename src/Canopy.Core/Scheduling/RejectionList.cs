using System.Collections;

namespace Canopy.Core.Scheduling;

/// <summary>
/// The refused candidates of one placement, each turned into a <see cref="Rejection"/> with its phrase only when read. A successful
/// placement over thousands of candidates refuses most of them and nobody reads why; a failed one shows a few in its detail.
/// </summary>
internal sealed class RejectionList(PlacementQuery query, IReadOnlyList<Candidate> candidates) : IReadOnlyList<Rejection>
{
    // Positions in the candidate list rather than references: half the memory, and no large-object-heap list at 5,000 candidates.
    private readonly List<(int Candidate, FilterReason Reason)> _refused = new(candidates.Count);
    private Rejection?[] _read = [];

    public int Count => _refused.Count;

    public Rejection this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)_refused.Count, nameof(index));
            if (_read.Length != _refused.Count)
            {
                Array.Resize(ref _read, _refused.Count);
            }

            var (position, reason) = _refused[index];
            var candidate = candidates[position];
            return _read[index] ??= new Rejection(candidate.Name, reason) { Explanation = CandidateFilter.Explain(query, candidate, reason) };
        }
    }

    /// <summary>The candidate at <paramref name="position"/> of the list the placement was given is refused for <paramref name="reason"/>.</summary>
    public void Add(int position, FilterReason reason) => _refused.Add((position, reason));

    /// <summary>The refusals of the candidates that <paramref name="include"/> picks, in the same order.</summary>
    public RejectionList Of(Func<Candidate, bool> include)
    {
        var subset = new RejectionList(query, candidates);
        foreach (var (position, reason) in _refused)
        {
            if (include(candidates[position]))
            {
                subset.Add(position, reason);
            }
        }

        return subset;
    }

    public IEnumerator<Rejection> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
