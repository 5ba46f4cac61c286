using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

internal static class ContainerRequirements
{
    /// <summary>containerd and friends installed, the local registry answering: `.ci/run` and `scripts/test.sh` provide both.</summary>
    public static void Check()
    {
        Requirements.Check();
        foreach (var (path, package) in new[] { ("/usr/bin/containerd", "containerd"), ("/usr/sbin/runc", "runc"), ("/usr/lib/cni/bridge", "containernetworking-plugins") })
        {
            if (!File.Exists(path))
            {
                Assert.Fail($"{path} not found: apt-get install {package} (scripts/install-deps.sh does).");
            }
        }

        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            http.GetAsync("http://127.0.0.1:5000/v2/").GetAwaiter().GetResult().EnsureSuccessStatusCode();
        }
        catch (Exception e)
        {
            Assert.Fail($"The local registry at 127.0.0.1:5000 does not answer ({e.Message}): run scripts/test-registry.sh up (scripts/test.sh does).");
        }
    }

    /// <summary>
    /// Waits until <paramref name="node"/> offers the container runtime (its containerd answers, its subnet is configured). Read from
    /// the JSON: the table also names a runtime a node cannot use yet ("cannot run container: containerd is starting").
    /// </summary>
    public static Task WaitForContainersAsync(CanopyProcess canopy, string node = "e2e-node") =>
        Wait.ForAsync(
            async () => CanopyJson.Deserialize<List<NodeDocument>>((await canopy.CliAsync("nodes", "-o", "json")).StdOut) ?? [],
            nodes => nodes.Any(n => n.Name == node && n.Virtualization.Contains("container")), TimeSpan.FromSeconds(60), $"{node} to offer containers");

    /// <summary>Canopy's containers and sandboxes in a node's containerd (`ctr` sees both as containers).</summary>
    public static async Task<int> ContainerCountAsync(string socket)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("ctr") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { "-a", socket, "-n", "k8s.io", "containers", "ls", "-q" })
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
    }

    /// <summary>Pids of processes whose command line is exactly <paramref name="cmdline"/> (space separated).</summary>
    public static List<int> PidsOf(string cmdline) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Pid: int.TryParse(Path.GetFileName(d), out var p) ? p : 0, Dir: d))
            .Where(x => x.Pid > 0)
            .Where(x =>
            {
                try
                {
                    return File.ReadAllText(Path.Combine(x.Dir, "cmdline")).Replace('\0', ' ').Trim() == cmdline;
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .Select(x => x.Pid)
            .ToList();
}
