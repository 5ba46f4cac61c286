using System.Collections;

namespace Canopy.Core.Scheduling;

/// <summary>
/// The refused candidates of one placement, each turned into a <see cref="Rejection"/> (its reason and phrase) only when read. A
/// successful placement over thousands of candidates refuses most of them and nobody reads why; a failed one shows a few in its detail.
/// </summary>
internal sealed class RejectionList(PlacementQuery query, IReadOnlyList<Candidate> candidates) : IReadOnlyList<Rejection>
{
    // Positions in the candidate list: 4 bytes each, so even 20,000 refusals stay off the large-object heap.
    private readonly List<int> _refused = new(candidates.Count);
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

            return _read[index] ??= Read(candidates[_refused[index]]);
        }
    }

    /// <summary>The candidate at <paramref name="position"/> of the list the placement was given is refused.</summary>
    public void Add(int position) => _refused.Add(position);

    /// <summary>The refusals of the candidates that <paramref name="include"/> picks, in the same order.</summary>
    public RejectionList Of(Func<Candidate, bool> include)
    {
        var subset = new RejectionList(query, candidates);
        foreach (var position in _refused)
        {
            if (include(candidates[position]))
            {
                subset.Add(position);
            }
        }

        return subset;
    }

    /// <summary>The reason is worked out again here: the placement only asked whether the candidate fits, cheapest check first.</summary>
    private Rejection Read(Candidate candidate)
    {
        var reason = CandidateFilter.Refusal(query, candidate) ??
                     throw new InvalidOperationException($"candidate {candidate.Name} was refused but passes every check");
        return new Rejection(candidate.Name, reason) { Explanation = CandidateFilter.Explain(query, candidate, reason) };
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
