using System.Collections.Concurrent;
using System.Diagnostics;
using Canopy.Cri.V1;
using Grpc.Core;

namespace Canopy.Cri.Tests.Integration;

/// <summary>
/// A real containerd (CRI plugin, runc, CNI bridge + portmap) private to this test run: its own root, state, socket,
/// CNI network and bridge under a temp directory, the pause image imported from scripts/images.py, and the local
/// test registry (scripts/test-registry.sh) to pull from. Disposing removes every pod, stops containerd and its
/// shims by PID, unmounts what is left, deletes the bridge and the directory. The registry stays up: it is a shared
/// test service that other test projects reuse.
/// </summary>
public sealed partial class ContainerdFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, byte> _sandboxes = new();
    private readonly List<string> _cleanupProblems = [];
    private IReadOnlyDictionary<string, string> _tools = new Dictionary<string, string>();
    private int _containerdPid;
    private CriClient? _client;

    public string Dir { get; private set; } = string.Empty;

    public string SocketPath => Path.Combine(Dir, "ctd.sock");

    public string ContainerdLog => Path.Combine(Dir, "containerd.log");

    /// <summary>Pods' log directories go below this.</summary>
    public string LogRoot => Path.Combine(Dir, "logs");

    public string Registry { get; private set; } = "127.0.0.1:5000";

    public string BusyboxImage => $"{Registry}/canopy/busybox:1";

    /// <summary>A label value unique to this run, put on every pod and container the tests create.</summary>
    public string RunId { get; } = Guid.NewGuid().ToString("N")[..12];

    public CriClient Client => _client ?? throw new InvalidOperationException("containerd fixture not started");

    public static string RepoRoot { get; } = FindRepoRoot();

    public async Task InitializeAsync()
    {
        _tools = Prerequisites.Check();
        Dir = Directory.CreateTempSubdirectory("canopy-cri-").FullName;
        try
        {
            Registry = await StartRegistryAsync();
            ContainerdConfigFiles.Write(Dir, Prerequisites.CniBinDir, Registry);
            StartContainerd();
            _client = new CriClient(SocketPath);
            await WaitForCriAsync();
            await ImportPauseImageAsync();
        }
        catch (Exception e)
        {
            var log = File.Exists(ContainerdLog) ? string.Join('\n', File.ReadLines(ContainerdLog).TakeLast(30)) : "(no log)";
            await DisposeAsync();
            throw new InvalidOperationException($"containerd test fixture failed to start: {e.Message}\n--- last lines of containerd.log:\n{log}", e);
        }
    }

    /// <summary>Runs a sandbox and remembers it, so that it is removed even when the test fails halfway.</summary>
    public async Task<string> RunPodSandboxAsync(PodSandboxConfig config)
    {
        var id = await Client.RunPodSandboxAsync(config, string.Empty, CancellationToken.None);
        _sandboxes[id] = 0;
        return id;
    }

    /// <summary>Stops and removes a sandbox (and its containers), as a test's own teardown.</summary>
    public async Task RemovePodSandboxAsync(string id)
    {
        await Client.StopPodSandboxAsync(id, CancellationToken.None);
        await Client.RemovePodSandboxAsync(id, CancellationToken.None);
        _sandboxes.TryRemove(id, out _);
    }

    /// <summary>Stops containerd (SIGTERM) as a crash or an upgrade would, keeping its state; <see cref="StartContainerdAgainAsync"/> brings it back.</summary>
    public Task StopContainerdForTestAsync() => StopContainerdAsync();

    /// <summary>Starts containerd again over the same state and socket, and waits until <see cref="Client"/> gets answers again.</summary>
    public async Task StartContainerdAgainAsync()
    {
        StartContainerd();
        await WaitForCriAsync();
    }

    /// <summary>Pulls the image unless containerd has it already; returns its image ref.</summary>
    public async Task<string> EnsureImageAsync(string image)
    {
        if (await Client.ImageStatusAsync(image, CancellationToken.None) is { } present)
        {
            return present.Id;
        }

        return await Client.PullImageAsync(image, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        if (_client is not null)
        {
            await RemoveAllSandboxesAsync();
            _client.Dispose();
            _client = null;
        }

        await StopContainerdAsync();
        KillLeftoverProcesses();
        UnmountLeftovers();
        await DeleteBridgeAsync();
        if (Dir.Length > 0 && Directory.Exists(Dir))
        {
            Try("delete " + Dir, () => Directory.Delete(Dir, recursive: true));
        }

        if (_cleanupProblems.Count > 0)
        {
            // Not thrown: a failed cleanup must not hide the tests' own results; stderr shows up in the test log.
            Console.Error.WriteLine("containerd fixture cleanup problems:\n  " + string.Join("\n  ", _cleanupProblems));
        }
    }

    private async Task<string> StartRegistryAsync()
    {
        var script = Path.Combine(RepoRoot, "scripts", "test-registry.sh");
        var result = (await HostCommand.RunAsync("/bin/bash", [script, "up"], TimeSpan.FromMinutes(3))).EnsureSuccess("scripts/test-registry.sh up");
        var line = result.Output.Split('\n').LastOrDefault(l => l.StartsWith("REGISTRY=", StringComparison.Ordinal))
                   ?? throw new InvalidOperationException("scripts/test-registry.sh up printed no REGISTRY= line:\n" + result.Output);
        return line["REGISTRY=".Length..].Trim();
    }

    private void StartContainerd()
    {
        // exec: the PID we hold is containerd's own, and its output goes straight to a file nobody has to drain.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var arg in new[]
                 {
                     "-c", "exec \"$0\" --config \"$1\" --address \"$2\" >\"$3\" 2>&1",
                     _tools["containerd"], Path.Combine(Dir, "config.toml"), SocketPath, ContainerdLog,
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start containerd");
        _containerdPid = process.Id;
    }

    private async Task WaitForCriAsync()
    {
        // Version answers once the CRI plugin is loaded (Unimplemented means it failed to load: see containerd.log).
        await Eventually.ForAsync(
            async () =>
            {
                if (!HostCommand.Signal(_containerdPid, 0))
                {
                    throw new InvalidOperationException("containerd exited");
                }

                return await Client.VersionAsync(CancellationToken.None);
            },
            v => v.RuntimeApiVersion == "v1",
            StartTimeout,
            "containerd's CRI to answer Version",
            // A containerd that just started accepts connections and answers "server is not initialized yet" for a moment.
            retryOn: e => e is CriException { StatusCode: StatusCode.Unavailable } ||
                          (e is CriException && e.Message.Contains("not initialized", StringComparison.Ordinal)));

        // NetworkReady turns true once the CRI plugin has loaded our conflist.
        await Eventually.ForAsync(
            () => Client.StatusAsync(CancellationToken.None),
            s => s.Status.Conditions.All(c => c.Status) && s.Status.Conditions.Count >= 2,
            StartTimeout,
            "RuntimeReady and NetworkReady");
    }

    private async Task ImportPauseImageAsync()
    {
        var tar = Path.Combine(Dir, "pause.tar");
        (await HostCommand.RunAsync(_tools["python3"], [Path.Combine(RepoRoot, "scripts", "images.py"), "archive", "canopy/pause:local", tar], TimeSpan.FromMinutes(1)))
            .EnsureSuccess("scripts/images.py archive canopy/pause:local");
        // CRI sees only the k8s.io namespace.
        (await HostCommand.RunAsync(_tools["ctr"], ["-a", SocketPath, "-n", "k8s.io", "images", "import", tar], TimeSpan.FromMinutes(1)))
            .EnsureSuccess("ctr images import pause.tar");
    }

    private static string FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "scripts", "images.py")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("cannot find the repository (scripts/images.py) above " + AppContext.BaseDirectory);
    }
}
