using Canopy.NodeEngine.Linux;

namespace Canopy.Testing;

/// <summary>The local OCI registry with the test images (scripts/test-registry.sh): containers of tests and benchmarks pull from it.</summary>
public static class TestRegistry
{
    public const string Address = "127.0.0.1:5000";

    /// <summary>Starts it (and pushes the images) unless it already serves them; builds nothing twice.</summary>
    public static Task UpAsync() => Task.Run(() =>
    {
        var script = Path.Combine(Repo.Root, "scripts", "test-registry.sh");
        var (code, output, error) = HostCommand.Run("/bin/bash", [script, "up"]);
        if (code != 0)
        {
            throw new InvalidOperationException($"scripts/test-registry.sh up failed (exit {code}):\n{output}{error}");
        }
    });
}
