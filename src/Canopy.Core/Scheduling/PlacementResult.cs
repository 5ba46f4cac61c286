using Canopy.Core.States;

namespace Canopy.Core.Scheduling;

/// <summary>
/// The decision: either <see cref="Chosen"/>, or a negative status (<c>NoActiveClusterWithCapacity</c>, <c>NO_WORKER_CAPACITY</c>, ...)
/// with a detail that says why, built from the rejections.
/// </summary>
public sealed record PlacementResult(
    Candidate? Chosen,
    InstanceStatus? Failure,
    string Detail,
    IReadOnlyList<Rejection> Rejections)
{
    public bool Succeeded => Chosen is not null;
}

public sealed record Rejection(string CandidateName, FilterReason Reason)
{
    /// <summary>The reason in words, with the numbers that matter, e.g. <c>insufficient memory (free 10 MB)</c>.</summary>
    public string Explanation { get; init; } = "";
}
