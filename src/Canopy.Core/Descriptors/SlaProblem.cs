namespace Canopy.Core.Descriptors;

/// <summary>One thing wrong (or worth a warning) in a descriptor, with the JSON path of the field, e.g. <c>applications[0].microservices[1].memory</c>.</summary>
public sealed record SlaProblem(string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? Message : $"{Path}: {Message}";
}
