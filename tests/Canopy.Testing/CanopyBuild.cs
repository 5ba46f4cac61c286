using System.Text.RegularExpressions;

namespace Canopy.Testing;

/// <summary>
/// Whether a <c>canopy</c> build is older than the sources it was built from: a test must never pass or fail on the
/// code of an earlier build (a `dotnet test --no-build` after an edit, a stale published copy).
/// </summary>
public static partial class CanopyBuild
{
    private static readonly string[] SourcePatterns = ["*.cs", "*.csproj", "*.proto"];

    /// <summary>
    /// Compares each project of <c>src/</c> with its assembly next to <paramref name="executable"/>, or, for a single-file
    /// or native build without assemblies, with the executable itself. A project without an assembly there is not part of canopy.
    /// </summary>
    /// <exception cref="InvalidOperationException">A source file changed after the build; the message names it and how to rebuild.</exception>
    public static void ThrowIfOlderThanSources(string executable, string repoRoot)
    {
        var dir = Path.GetDirectoryName(executable)!;
        var singleFile = !File.Exists(Path.Combine(dir, Path.GetFileName(executable) + ".dll"));
        foreach (var project in Directory.EnumerateFiles(Path.Combine(repoRoot, "src"), "*.csproj", SearchOption.AllDirectories))
        {
            var built = singleFile ? executable : Path.Combine(dir, AssemblyName(project) + ".dll");
            if (!File.Exists(built))
            {
                continue;
            }

            var builtAt = File.GetLastWriteTimeUtc(built);
            if (NewestSource(Path.GetDirectoryName(project)!) is { } source && File.GetLastWriteTimeUtc(source) > builtAt)
            {
                throw new InvalidOperationException(
                    $"The canopy build in {dir} is older than its sources: {Path.GetRelativePath(repoRoot, source)} changed at " +
                    $"{File.GetLastWriteTimeUtc(source):HH:mm:ss} UTC, after {Path.GetFileName(built)} was built at {builtAt:HH:mm:ss} UTC. " +
                    "Rebuild it: `dotnet build Canopy.slnx` (scripts/test.sh does), or `dotnet test` without --no-build" +
                    (Environment.GetEnvironmentVariable("CANOPY_BIN") is { Length: > 0 } ? "; or unset CANOPY_BIN." : "."));
            }
        }
    }

    private static string AssemblyName(string project) =>
        AssemblyNameElement().Match(File.ReadAllText(project)) is { Success: true } m ? m.Groups[1].Value : Path.GetFileNameWithoutExtension(project);

    private static string? NewestSource(string projectDir) =>
        SourcePatterns
            .SelectMany(p => Directory.EnumerateFiles(projectDir, p, SearchOption.AllDirectories))
            .Where(f => !IsBuildOutput(Path.GetRelativePath(projectDir, f)))
            .MaxBy(File.GetLastWriteTimeUtc);

    private static bool IsBuildOutput(string relative) =>
        relative.StartsWith("bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal) ||
        relative.StartsWith("obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    [GeneratedRegex("<AssemblyName>([^<]+)</AssemblyName>")]
    private static partial Regex AssemblyNameElement();
}
