using System.Diagnostics;
using Canopy.Testing;

namespace Canopy.NodeEngine.Tests.Artifacts;

/// <summary>The local registry (scripts/test-registry.sh up, as scripts/test.sh does) and artifacts pushed with scripts/images.py.</summary>
public static class TestRegistry
{
    public const string Address = "127.0.0.1:5000";

    public static async Task<string> EnsureAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        try
        {
            await http.GetAsync($"http://{Address}/v2/");
        }
        catch (HttpRequestException e)
        {
            throw new InvalidOperationException(
                $"The local registry at {Address} does not answer ({e.Message}): run scripts/test-registry.sh up (scripts/test.sh does).");
        }

        return Address;
    }

    /// <summary>Pushes <paramref name="file"/> as an OCI artifact; returns the manifest digest.</summary>
    public static async Task<string> PushArtifactAsync(string reference, string file)
    {
        var psi = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { Path.Combine(Repo.Root, "scripts", "images.py"), "artifact", Address, reference, file })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        process.ExitCode.ShouldBe(0, $"images.py artifact: {await stderr}");
        var line = await stdout;
        var start = line.IndexOf("(sha256:", StringComparison.Ordinal) + 1;
        return line[start..line.IndexOf(',', start)];
    }
}
