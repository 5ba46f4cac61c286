namespace Canopy.Testing;

public static class Repo
{
    public static string Root { get; } = FindRoot();

    /// <summary>The built <c>canopy</c> executable: $CANOPY_BIN, else the CLI project's build output for this configuration.</summary>
    public static string CanopyBinary
    {
        get
        {
            if (Environment.GetEnvironmentVariable("CANOPY_BIN") is { Length: > 0 } bin)
            {
                return bin;
            }

            foreach (var config in new[] { "Debug", "Release" })
            {
                var path = Path.Combine(Root, "src", "Canopy.Cli", "bin", config, "net10.0", "canopy");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            throw new InvalidOperationException("The canopy executable is not built: run `dotnet build Canopy.slnx` (scripts/test.sh does) or set CANOPY_BIN.");
        }
    }

    /// <summary>A deployment descriptor of the repository's own <c>examples/</c>, the ones the README deploys.</summary>
    public static string Example(string name) => Path.Combine(Root, "examples", name);

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
