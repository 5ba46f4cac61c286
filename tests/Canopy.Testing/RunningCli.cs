using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Canopy.Testing;

/// <summary>
/// A <c>canopy</c> command that keeps running (<see cref="CanopyCli.Start"/>): tests wait for the lines they expect, then end it as a
/// person does, with Ctrl-C (SIGINT).
/// </summary>
public sealed class RunningCli : IAsyncDisposable
{
    private readonly Process _process;
    private readonly IReadOnlyList<string> _args;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();

    internal RunningCli(Process process, IReadOnlyList<string> args)
    {
        _process = process;
        _args = args;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                return;
            }

            lock (_stdout)
            {
                _stdout.AppendLine(e.Data);
            }

            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_stderr)
                {
                    _stderr.AppendLine(e.Data);
                }
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string StdOut { get { lock (_stdout) { return _stdout.ToString(); } } }

    public string StdErr { get { lock (_stderr) { return _stderr.ToString(); } } }

    /// <summary>The next line of standard output that matches, within <paramref name="timeout"/>.</summary>
    public async Task<string> NextLineAsync(Func<string, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var line = await _lines.Reader.ReadAsync(deadline.Token);
                if (match(line))
                {
                    return line;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            throw new TimeoutException(
                $"canopy {string.Join(' ', _args)}: no line with {what} within {timeout.TotalSeconds:0} s\nstdout:\n{StdOut}\nstderr:\n{StdErr}");
        }
    }

    /// <summary>Ctrl-C, then its end: what it printed and its exit code.</summary>
    public async Task<CliResult> InterruptAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            Signals.Kill(_process.Id, Signals.SigInt);
        }

        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"canopy {string.Join(' ', _args)} did not end within {timeout.TotalSeconds:0} s of Ctrl-C\nstderr:\n{StdErr}");
        }

        return new CliResult(_process.ExitCode, StdOut, StdErr);
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
