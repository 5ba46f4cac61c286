using System.Collections.Concurrent;
using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Runtimes.Wasm;

/// <summary>
/// Runs a WebAssembly module (WASI preview 1) per instance in a host process of its own (<c>canopy-wasm</c>, Wasmtime), with
/// the process runtime's supervision, cgroup limits, logs, restarts and adoption. The module (<c>code</c>: a URL or a
/// registry artifact) is fetched into the node's artifact cache in CREATING and copied into the instance directory, so a
/// restart or an adoption never depends on the network. <c>cmd</c> is the module's arguments, the SLA's environment its WASI
/// environment; with a port the host serves HTTP on it, running the module per request (see <c>canopy-wasm</c>'s CgiServer).
/// </summary>
internal sealed class WasmRuntime : ProcessRuntime
{
    /// <summary>The host compiles the module before it says ready; a large module takes seconds on a small node.</summary>
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);

    private static readonly TimeSpan ReadyPoll = TimeSpan.FromMilliseconds(20);
    private static readonly byte[] Magic = [0x00, 0x61, 0x73, 0x6d];

    /// <summary>The host's status for a trap in a long run (see canopy-wasm's HostStatus).</summary>
    private const string Trapped = "trapped: ";

    private readonly ArtifactCache _artifacts;

    /// <summary>The spec each instance's module copy was fetched for (by reference: the deployment, not its contents).</summary>
    private readonly ConcurrentDictionary<InstanceKey, ServiceSpec> _fetchedFor = new();

    public WasmRuntime(NodeEngineOptions options, CgroupLayout cgroups, NodeFacts facts, ArtifactCache artifacts, ILogger<WasmRuntime>? logger = null)
        : this(options, cgroups, facts, artifacts, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private WasmRuntime(NodeEngineOptions options, CgroupLayout cgroups, NodeFacts facts, ArtifactCache artifacts, ILogger logger)
        : base(options, cgroups, hosts: null, facts, logger, options.WasmDir, new RuntimeLog(logger, firstId: 4700, rotatedId: 4711))
    {
        _artifacts = artifacts;
        if (base.DropsRoot && UnreachableDirectory() is { } closed)
        {
            WasmLog.HostRunsAsRoot(Logger, closed);
        }
    }

    public override string Name => Virtualizations.Wasm;

    /// <summary>
    /// Wasm hosts drop root like exec workloads where the instance's user can reach the host program and the instance
    /// directory. Unlike an exec workload, which starts in its home, the host opens them by path, and a checkout or data
    /// dir under /root (./canopy up's defaults) cannot be passed by other users: there the host runs as root, and the
    /// module stays inside Wasmtime's sandbox, which gives it no file and no socket of the node.
    /// </summary>
    protected override bool DropsRoot => base.DropsRoot && UnreachableDirectory() is null;

    private string HostPath => Options.ResolvedWasmHostPath;

    public override bool IsAvailable => ProcessWrapper.IsAvailable && File.Exists(HostPath);

    public override string? UnavailableReason =>
        !File.Exists(HostPath) ? $"the wasm host {HostPath} is not installed (it ships next to canopy; or set the node's WasmHostPath)"
        : !ProcessWrapper.IsAvailable ? "the process wrapper's tools (setsid, sh) are missing"
        : null;

    /// <summary>The first directory above the host program or the data dir that other users may not pass; null when none.</summary>
    private string? UnreachableDirectory()
    {
        var hostDir = Path.GetDirectoryName(Path.GetFullPath(HostPath));
        var dataDirParent = Path.GetDirectoryName(Path.GetFullPath(Options.DataDir));
        var closed = FirstClosedDirectory(hostDir is null ? null : new DirectoryInfo(hostDir)) ??
                     FirstClosedDirectory(dataDirParent is null ? null : new DirectoryInfo(dataDirParent));
        return closed?.FullName;
    }

    /// <summary>The module's copy in the instance directory (root's; the workload's group reads it).</summary>
    private static string ModulePath(ProcessInstance instance) => Path.Combine(instance.Paths.Dir, "module.wasm");

    /// <summary>The host's one-line status (ready / failed: … / trapped: …), in the home the workload may write.</summary>
    private static string StatusPath(ProcessInstance instance) => Path.Combine(instance.Paths.Home, "wasm-status");

    protected override async Task<IReadOnlyList<string>?> CommandAsync(ProcessInstance instance, ProcessStart start, CancellationToken ct)
    {
        var spec = instance.Spec;
        if (!File.Exists(HostPath))
        {
            Fail(instance, $"wasm is not available on node {Options.NodeName}: {UnavailableReason}");
            return null;
        }

        if (spec.Privileged)
        {
            Fail(instance, "wasm services cannot be privileged: a module has no access to the host to be privileged with");
            return null;
        }

        // A restart by policy runs the copy it has; a deploy (a new spec, or FAILED/DEAD deployed again) fetches afresh.
        var module = ModulePath(instance);
        if (!_fetchedFor.TryGetValue(instance.Key, out var fetched) || !ReferenceEquals(fetched, spec) || !File.Exists(module))
        {
            Artifact artifact;
            try
            {
                artifact = await _artifacts.FetchAsync(spec.Code, "module", spec.Secrets?.Registry, instance.Paths.Dir, ct).ConfigureAwait(false);
            }
            catch (ArtifactFetchException e)
            {
                Fail(instance, e.Message);
                return null;
            }

            if (!StartsWithMagic(artifact.Path))
            {
                Fail(instance, $"module {spec.Code} is not a WebAssembly module (it does not start with \\0asm)");
                return null;
            }

            File.Copy(artifact.Path, module + ".tmp", overwrite: true);
            File.Move(module + ".tmp", module, overwrite: true);
            _fetchedFor[instance.Key] = spec;
        }

        File.Delete(StatusPath(instance));
        var command = new List<string>
        {
            HostPath, "--status-file", StatusPath(instance),
            "--start-window", Options.WasmStartWindow.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture),
        };
        if (spec.Memory > 0)
        {
            // The same bound as the cgroup's: a module asking for more sees memory.grow fail, not the OOM killer.
            command.AddRange(["--memory-limit", (spec.Memory * 1024L * 1024L).ToString(CultureInfo.InvariantCulture)]);
        }

        if (start.Ports.Count > 0 && start.Environment.TryGetValue("PORT", out var port))
        {
            command.AddRange(["--serve", port]);
        }

        command.Add("--");
        command.Add(module);
        command.AddRange(spec.Cmd);
        command.AddRange(spec.Args);
        return command;
    }

    protected override async Task DeleteAsync(ProcessInstance instance, CancellationToken ct)
    {
        await base.DeleteAsync(instance, ct).ConfigureAwait(false);
        _fetchedFor.TryRemove(instance.Key, out _);
    }

    /// <summary>RUNNING once the host says the module is instantiated (and, serving, its port bound); its failure reason otherwise.</summary>
    protected override async Task<string?> WaitUntilReadyAsync(ProcessInstance instance, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + ReadyTimeout;
        while (true)
        {
            var status = ReadStatus(instance);
            if (status == "ready")
            {
                return null;
            }

            if (status?.StartsWith("failed: ", StringComparison.Ordinal) == true)
            {
                return status["failed: ".Length..];
            }

            if (instance.Child is { HasExited: true } child)
            {
                // A one-shot module may have said ready and ended between two looks; else the host ended without a word.
                status = ReadStatus(instance);
                return status == "ready" ? null
                    : status?.StartsWith("failed: ", StringComparison.Ordinal) == true ? status["failed: ".Length..]
                    : $"the wasm host exited with code {child.ExitCode} before the module was ready: {await LastLogLineAsync(instance, ct).ConfigureAwait(false)}";
            }

            if (DateTime.UtcNow > deadline)
            {
                return $"the wasm host did not get the module ready within {ReadyTimeout.TotalSeconds:0} s";
            }

            await Task.Delay(ReadyPoll, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Not a module, fails to link, traps while instantiating or right after start: restarting cannot help.</summary>
    protected override string? FinalFailure(ProcessInstance instance, int? exitCode) =>
        ReadStatus(instance) is { } status && status.StartsWith("failed: ", StringComparison.Ordinal) ? status["failed: ".Length..] : null;

    /// <summary>A trap after the start window: the host's words for it (and the exit code), rather than only its code 67.</summary>
    protected override string? ExitDetail(ProcessInstance instance, int? exitCode) =>
        ReadStatus(instance) is { } status && status.StartsWith(Trapped, StringComparison.Ordinal)
            ? $"{status[Trapped.Length..]} (exit {exitCode?.ToString(CultureInfo.InvariantCulture) ?? "code unknown"})"
            : null;

    private static string? ReadStatus(ProcessInstance instance)
    {
        try
        {
            return File.ReadAllText(StatusPath(instance)).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task<string> LastLogLineAsync(ProcessInstance instance, CancellationToken ct)
    {
        var tail = await LogFiles.TailAsync(instance.Paths.Log, instance.Paths.RotatedLog, 1, ct).ConfigureAwait(false);
        return string.IsNullOrWhiteSpace(tail) ? "it wrote nothing" : tail.Trim();
    }

    private static bool StartsWithMagic(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(Magic);
    }
}
