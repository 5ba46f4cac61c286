using Canopy.NodeEngine.Linux;

namespace Canopy.Testing;

/// <summary>The local OCI registry with the test images (scripts/test-registry.sh): containers of tests and benchmarks pull from it.</summary>
public static class TestImageRegistry
{
    public const string Address = "127.0.0.1:5000";

    /// <summary>Starts it (and pushes the images) unless it already serves them; builds nothing twice.</summary>
    public static Task UpAsync() => RunAsync("/bin/bash", Path.Combine(Repo.Root, "scripts", "test-registry.sh"), "up");

    /// <summary>Pushes a file as a single-layer OCI artifact, <c>name:tag</c> on the registry (scripts/images.py artifact).</summary>
    public static Task PushArtifactAsync(string nameAndTag, string file, string mediaType = "application/wasm") =>
        RunAsync("python3", Path.Combine(Repo.Root, "scripts", "images.py"), "artifact", Address, nameAndTag, file, "--media-type", mediaType);

    /// <summary>Runs a script of the repository to its end; its output becomes the error when it fails.</summary>
    public static Task RunAsync(string program, params string[] args) => Task.Run(() =>
    {
        var (code, output, error) = HostCommand.Run(program, args);
        if (code != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', args.Select(Path.GetFileName))} failed (exit {code}):\n{output}{error}");
        }
    });
}
