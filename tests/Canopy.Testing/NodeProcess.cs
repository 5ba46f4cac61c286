using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Canopy.Testing;

/// <summary>
/// A separate <c>canopy node</c> joined to a <see cref="CanopyProcess"/>'s cluster, with its own data dir: a second
/// worker on the same machine. Kill it with any signal.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly CanopyProcess _canopy;
    private readonly StringBuilder _output = new();
    private readonly string? _executable;
    private Process? _process;

    /// <param name="executable">Run this node executable (e.g. a native <c>canopy-node</c>) with the same flags instead of <c>canopy node</c>.</param>
    public NodeProcess(CanopyProcess canopy, string name, string? executable = null)
    {
        _canopy = canopy;
        Name = name;
        DataDir = Path.Combine(canopy.DataDir, "nodes", name);
        _executable = executable;
    }

    public string Name { get; }
    public string DataDir { get; }
    public int Pid => _process?.Id ?? 0;
    public string ContainerdSocket => Path.Combine(DataDir, "containerd", "containerd.sock");
    public string Output { get { lock (_output) { return _output.ToString(); } } }

    public void Start(params string[] extra)
    {
        var tokens = JsonDocument.Parse(File.ReadAllText(Path.Combine(_canopy.DataDir, "join-tokens.json")));
        var psi = new ProcessStartInfo(_executable ?? Repo.CanopyBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        var token = ClusterCa.NodeJoinToken(tokens.RootElement.GetProperty("node_join_token").GetString()!, _canopy.ClusterPin);
        if (_executable is null)
        {
            psi.ArgumentList.Add("node");
        }

        foreach (var a in new[] { "--data-dir", DataDir, "--cluster", _canopy.ClusterUrl, "--join-token", token, "--name", Name })
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var a in extra)
        {
            psi.ArgumentList.Add(a);
        }

        _process = Process.Start(psi)!;
        _process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        _process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (_output) { _output.AppendLine(e.Data); } } };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>A line on its standard input (the commands of <c>canopy node --simulate</c>).</summary>
    public async Task SendAsync(string line)
    {
        var input = (_process ?? throw new InvalidOperationException("not started")).StandardInput;
        await input.WriteLineAsync(line);
        await input.FlushAsync();
    }

    /// <summary>Sends a signal and waits for the process to end.</summary>
    public async Task KillAsync(int signal)
    {
        if (_process is null || _process.HasExited)
        {
            return;
        }

        Signals.Kill(_process.Id, signal);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(cts.Token);
    }

    /// <summary>Kills the node; what it leaves (containers, containerd, mounts) goes with its cluster's data dir cleanup.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            await KillAsync(Signals.SigKill);
        }

        _process?.Dispose();
    }
}
