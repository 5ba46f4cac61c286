namespace Canopy.Core.Descriptors;

/// <summary>The runtimes an SLA can ask for, and their aliases.</summary>
public static class Virtualizations
{
    public const string Container = "container";
    public const string Exec = "exec";

    /// <summary>Runtimes Canopy knows; a node reports the subset it has.</summary>
    public static readonly IReadOnlyList<string> Known = [Container, Exec];

    /// <summary><c>docker</c> → <c>container</c>; case-insensitive; null when the runtime is unknown.</summary>
    public static string? Normalize(string? virtualization) => virtualization?.Trim().ToLowerInvariant() switch
    {
        "container" or "docker" or "containerd" => Container,
        "exec" or "native" or "process" => Exec,
        _ => null,
    };
}
