using System.Text.RegularExpressions;
using Canopy.NodeEngine.Linux;

namespace Canopy.Testing;

/// <summary>
/// The local OCI registry with the test images (scripts/test-registry.sh) that containers of tests and benchmarks pull
/// from, and the artifacts (wasm modules, vm bundles) tests push to it with scripts/images.py.
/// </summary>
public static partial class TestImageRegistry
{
    public const string Address = "127.0.0.1:5000";

    /// <summary>The layer media type of a wasm module (images.py's default).</summary>
    public const string WasmModule = "application/wasm";

    /// <summary>The layer media type of a vm bundle (kernel, initrd and cmdline as a .tar.gz), as examples/README.md pushes it.</summary>
    public const string VmBundle = "application/vnd.canopy.vm.bundle.v1.tar+gzip";

    /// <summary>Starts it (and pushes the images) unless it already serves them; builds nothing twice.</summary>
    public static Task UpAsync() => RunAsync("/bin/bash", Path.Combine(Repo.Root, "scripts", "test-registry.sh"), "up");

    /// <summary>
    /// Pushes a file as a single-layer OCI artifact, <c>name:tag</c> on the registry (scripts/images.py artifact);
    /// returns the manifest's digest, for references by digest.
    /// </summary>
    public static async Task<string> PushArtifactAsync(string nameAndTag, string file, string mediaType = WasmModule)
    {
        var output = await RunAsync("python3", Path.Combine(Repo.Root, "scripts", "images.py"), "artifact", Address, nameAndTag, file, "--media-type", mediaType);
        var digest = PushedDigest().Match(output);
        return digest.Success
            ? digest.Groups[1].Value
            : throw new InvalidOperationException($"images.py artifact printed no manifest digest for {nameAndTag}:\n{output}");
    }

    /// <summary>Runs a script of the repository to its end; its output becomes the error when it fails.</summary>
    private static Task<string> RunAsync(string program, params string[] args) => Task.Run(() =>
    {
        var (code, output, error) = HostCommand.Run(program, args);
        return code == 0
            ? output
            : throw new InvalidOperationException($"{string.Join(' ', args.Select(Path.GetFileName))} failed (exit {code}):\n{output}{error}");
    });

    // images.py: "pushed 127.0.0.1:5000/name:tag (sha256:<manifest>, layer sha256:<layer>)".
    [GeneratedRegex(@"^pushed \S+ \((sha256:[0-9a-f]{64})", RegexOptions.Multiline)]
    private static partial Regex PushedDigest();
}
