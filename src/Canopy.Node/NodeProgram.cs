using System.CommandLine;
using Canopy.NodeEngine;
using Canopy.NodeRole;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Node;

/// <summary>
/// <c>canopy-node</c>: what <c>canopy node</c> does, in a process of its own. It owns Ctrl-C and SIGTERM: they cancel the
/// command, which then stops the node engine (instances left running unless --stop-instances-on-exit).
/// </summary>
internal static class NodeProgram
{
    private const int Failure = 1;

    public static async Task<int> RunAsync(string[] args)
    {
        var command = new RootCommand("canopy-node: a Canopy node engine; joins a cluster and runs its instances (the same flags as `canopy node`)");
        foreach (var option in NodeCommandLine.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(RunNodeAsync);
        try
        {
            return await SignalOwnedInvocation.InvokeAsync(command.Parse(args));
        }
        catch (NodeRoleException e)
        {
            Console.Error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return Failure;
        }
    }

    private static async Task<int> RunNodeAsync(ParseResult parse, CancellationToken ct)
    {
        var options = NodeCommandLine.Options(parse, LayeredConfiguration.NodeShortForms);
        var leave = parse.GetValue(NodeCommandLine.Leave);
        var level = leave ? parse.GetValue(NodeCommandLine.LogLevelOption) ?? LogLevel.Warning : NodeCommandLine.LogLevel(parse);
        var stopping = false;
        IHost CreateHost() => NodeEngineHost.Create(options, b =>
        {
            b.Services.AddSingleton<IHostLifetime, SignalOwnedLifetime>();
            RoleLogging.Configure(b.Logging, level, "node", () => stopping);
        });

        if (leave)
        {
            return await NodeLeaveCommand.RunAsync(options, CreateHost, ct);
        }

        using var host = StartOrExplain(CreateHost);
        try
        {
            await host.StartAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new NodeRoleException($"The node did not start: {e.GetBaseException().Message}", NodeRoleException.StartFailed);
        }

        Console.Out.WriteLine($"Node engine {options.NodeName} joining {options.ClusterUrl}.");
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }

        stopping = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15) + options.StopGracePeriod);
        await host.StopAsync(timeout.Token);
        return 0;
    }

    private static IHost StartOrExplain(Func<IHost> create)
    {
        try
        {
            return create();
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException)
        {
            throw new NodeRoleException($"The node did not start: {e.Message}", NodeRoleException.StartFailed);
        }
    }

    /// <summary>The process, not the host, reacts to the signals (see <see cref="NodeProgram"/>).</summary>
    private sealed class SignalOwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
