namespace Canopy.Core.Descriptors;

/// <summary>The outcome of reading one microservice on its own, like <see cref="SlaParseResult"/> for a whole descriptor.</summary>
public sealed record SlaMicroserviceParseResult(
    SlaMicroservice? Microservice, IReadOnlyList<SlaProblem> Errors, IReadOnlyList<SlaProblem> Warnings)
{
    public bool IsValid => Microservice is not null && Errors.Count == 0;
}
