using System.Globalization;
using Canopy.NodeEngine;
using Canopy.NodeEngine.Simulation;
using Microsoft.Extensions.Logging;

namespace Canopy.Cli.Roles;

/// <summary>
/// <c>canopy node --simulate N</c>: N simulated node engines in this process (see <see cref="NodeSimulator"/>), steered by lines on
/// standard input: <c>kill A[-B]</c> cuts nodes' connections as a crash would, <c>revive A[-B]</c> brings them back,
/// <c>status</c> prints how many are online. It prints <c>online N/N</c> once every node is online.
/// </summary>
internal static class NodeSimulation
{
    public static async Task<int> RunAsync(NodeEngineOptions template, int count, LogLevel level, CancellationToken ct)
    {
        using var loggers = LoggerFactory.Create(b => b
            .SetMinimumLevel(level)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff '[simulator]' ";
            }));
        await using var simulator = new NodeSimulator(template, count, loggers);
        try
        {
            simulator.Start();
        }
        catch (InvalidOperationException e)
        {
            throw new CliException($"The simulated nodes cannot join: {e.Message}", ExitCodes.InvalidInput);
        }

        Console.Out.WriteLine($"Simulating {count} nodes ({template.NodeName}-1..{count}) joining {template.ClusterUrl}; commands on stdin: kill A[-B], revive A[-B], status.");
        var commands = ReadCommandsAsync(simulator, ct);
        var allOnline = ReportAllOnlineAsync(simulator, ct);
        await Task.WhenAny(commands, allOnline.ContinueWith(_ => Task.Delay(Timeout.Infinite, ct), TaskScheduler.Default).Unwrap());
        Console.Out.WriteLine("Stopping the simulated nodes...");
        return ExitCodes.Success;
    }

    private static async Task ReportAllOnlineAsync(NodeSimulator simulator, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(250));
        while (await timer.WaitForNextTickAsync(ct))
        {
            if (simulator.Online == simulator.Count)
            {
                Console.Out.WriteLine($"online {simulator.Count}/{simulator.Count}; {simulator.Joins}");
                return;
            }
        }
    }

    /// <summary>Until stdin ends or the process is stopped.</summary>
    private static async Task ReadCommandsAsync(NodeSimulator simulator, CancellationToken ct)
    {
        try
        {
            while (await Console.In.ReadLineAsync(ct) is { } line)
            {
                await ExecuteAsync(simulator, line.Trim());
            }

            // Stdin closed (a detached run): keep simulating until stopped.
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ExecuteAsync(NodeSimulator simulator, string line)
    {
        var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0)
        {
            return;
        }

        switch (parts[0])
        {
            case "status":
                Console.Out.WriteLine($"online {simulator.Online}/{simulator.Count} alive {simulator.Alive}; {simulator.Joins}");
                return;
            case "kill" or "revive" when parts.Length == 2 && TryParseRange(parts[1], simulator.Count, out var first, out var last):
                if (parts[0] == "kill")
                {
                    await simulator.KillAsync(first, last);
                    Console.Out.WriteLine($"killed {first}-{last}");
                }
                else
                {
                    simulator.Revive(first, last);
                    Console.Out.WriteLine($"revived {first}-{last}");
                }

                return;
            default:
                Console.Error.WriteLine($"unknown command '{line}': use kill A[-B], revive A[-B] or status, with node numbers 1..{simulator.Count}");
                return;
        }
    }

    private static bool TryParseRange(string text, int count, out int first, out int last)
    {
        var dash = text.IndexOf('-');
        var ok = dash < 0
            ? int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out first) & (last = first) == first
            : int.TryParse(text.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out first) &
              int.TryParse(text.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out last);
        return ok && first >= 1 && first <= last && last <= count;
    }
}
