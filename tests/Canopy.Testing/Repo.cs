using System.Reflection;

namespace Canopy.Testing;

public static class Repo
{
    private static readonly Lazy<string> Binary = new(FindCanopyBinary);

    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The <c>canopy</c> executable the tests run: $CANOPY_BIN (e.g. a published build), else the CLI's build output of
    /// this test build's configuration (built with it, see Canopy.Testing.csproj). Either must be built from the
    /// current sources: one older than a source file of <c>src/</c> fails here, saying how to rebuild.
    /// </summary>
    public static string CanopyBinary => Binary.Value;

    /// <summary>A deployment descriptor of the repository's own <c>examples/</c>, the ones the README deploys.</summary>
    public static string Example(string name) => Path.Combine(Root, "examples", name);

    private static string FindCanopyBinary()
    {
        var chosen = Environment.GetEnvironmentVariable("CANOPY_BIN");
        var explicitBinary = !string.IsNullOrEmpty(chosen);
        var path = explicitBinary ? Path.GetFullPath(chosen!) : Path.Combine(CliOutputDirectory(), "canopy");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException(explicitBinary
                ? $"CANOPY_BIN names {path}, which does not exist."
                : $"The canopy executable {path} is not built: run `dotnet build Canopy.slnx` (scripts/test.sh does), or `dotnet test` without --no-build.");
        }

        CanopyBuild.ThrowIfOlderThanSources(path, Root);
        return path;
    }

    private static string CliOutputDirectory() =>
        typeof(Repo).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == "CanopyCliOutput")?.Value
        ?? throw new InvalidOperationException("Canopy.Testing was built without the CanopyCliOutput metadata (see Canopy.Testing.csproj).");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Canopy.slnx")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (Canopy.slnx) above " + AppContext.BaseDirectory);
    }
}
