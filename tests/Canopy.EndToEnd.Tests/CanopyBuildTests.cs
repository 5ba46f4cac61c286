using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>The harness refuses a canopy build older than its sources (Repo.CanopyBinary), naming the file and how to rebuild.</summary>
public sealed class CanopyBuildTests : IDisposable
{
    private readonly string _repo = Directory.CreateTempSubdirectory("canopy-build-").FullName;
    private readonly string _out;
    private readonly DateTime _built = DateTime.UtcNow.AddMinutes(-10);

    public CanopyBuildTests()
    {
        Directory.CreateDirectory(Path.Combine(_repo, "src", "Canopy.Cli"));
        Directory.CreateDirectory(Path.Combine(_repo, "src", "Canopy.Root", "obj"));
        File.WriteAllText(Path.Combine(_repo, "src", "Canopy.Cli", "Canopy.Cli.csproj"), "<Project><PropertyGroup><AssemblyName>canopy</AssemblyName></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(_repo, "src", "Canopy.Root", "Canopy.Root.csproj"), "<Project />");
        _out = Directory.CreateDirectory(Path.Combine(_repo, "out")).FullName;
        foreach (var file in new[] { "canopy", "canopy.dll", "Canopy.Root.dll" })
        {
            Touch(Path.Combine(_out, file), _built);
        }

        foreach (var source in new[] { "src/Canopy.Cli/Program.cs", "src/Canopy.Root/Store.cs", "src/Canopy.Root/Canopy.Root.csproj", "src/Canopy.Cli/Canopy.Cli.csproj" })
        {
            Touch(Path.Combine(_repo, source), _built.AddMinutes(-1));
        }
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    [Fact]
    public void A_build_newer_than_every_source_passes_and_build_output_is_no_source()
    {
        Touch(Path.Combine(_repo, "src", "Canopy.Root", "obj", "Generated.cs"), _built.AddMinutes(5));

        Should.NotThrow(() => CanopyBuild.ThrowIfOlderThanSources(Path.Combine(_out, "canopy"), _repo));
    }

    [Fact]
    public void A_source_changed_after_its_assembly_was_built_names_the_file_and_the_fix()
    {
        Touch(Path.Combine(_repo, "src", "Canopy.Root", "Store.cs"), _built.AddMinutes(1));

        var e = Should.Throw<InvalidOperationException>(() => CanopyBuild.ThrowIfOlderThanSources(Path.Combine(_out, "canopy"), _repo));

        e.Message.ShouldContain($"src{Path.DirectorySeparatorChar}Canopy.Root{Path.DirectorySeparatorChar}Store.cs");
        e.Message.ShouldContain("Canopy.Root.dll");
        e.Message.ShouldContain("dotnet build Canopy.slnx");
    }

    [Fact]
    public void A_single_file_build_is_compared_as_a_whole()
    {
        File.Delete(Path.Combine(_out, "canopy.dll"));
        File.Delete(Path.Combine(_out, "Canopy.Root.dll"));
        Touch(Path.Combine(_repo, "src", "Canopy.Cli", "Program.cs"), _built.AddMinutes(1));

        Should.Throw<InvalidOperationException>(() => CanopyBuild.ThrowIfOlderThanSources(Path.Combine(_out, "canopy"), _repo))
            .Message.ShouldContain("canopy was built");
    }

    private static void Touch(string path, DateTime at)
    {
        if (!File.Exists(path))
        {
            File.WriteAllText(path, "");
        }

        File.SetLastWriteTimeUtc(path, at);
    }
}
