namespace Canopy.Core.Descriptors;

/// <summary>The outcome of reading a descriptor: the document when it is valid, every error otherwise, and warnings either way.</summary>
public sealed record SlaParseResult(SlaDocument? Document, IReadOnlyList<SlaProblem> Errors, IReadOnlyList<SlaProblem> Warnings)
{
    public bool IsValid => Document is not null && Errors.Count == 0;
}
