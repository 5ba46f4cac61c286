using System.CommandLine;
using Canopy.Cli.Interaction;
using Canopy.NodeRole;

namespace Canopy.Cli.Commands;

/// <summary>The command tree. Each command is a definition plus an action returning a code from <see cref="ExitCodes"/>.</summary>
public static class CanopyCommand
{
    public static RootCommand Build()
    {
        var root = new RootCommand(
            "Canopy: a hierarchical orchestrator for edge computing (root → clusters → nodes), compatible with Oakestra's API and SLA v2.0.\n" +
            "Start everything on this machine with `canopy up`, then `canopy login` and `canopy app deploy FILE`.");
        root.Options.Add(GlobalOptions.Server);
        root.Options.Add(GlobalOptions.Token);
        root.Options.Add(GlobalOptions.OutputFormat);

        root.Subcommands.Add(RoleCommands.Up());
        root.Subcommands.Add(RoleCommands.Root());
        root.Subcommands.Add(RoleCommands.Cluster());
        root.Subcommands.Add(RoleCommands.Node());
        root.Subcommands.Add(LoginCommands.Login());
        root.Subcommands.Add(LoginCommands.Logout());
        root.Subcommands.Add(AppCommands.Build());
        root.Subcommands.Add(ServiceCommands.Build());
        root.Subcommands.Add(InstanceCommands.Build());
        root.Subcommands.Add(InfrastructureCommands.Nodes());
        root.Subcommands.Add(InfrastructureCommands.Clusters());
        root.Subcommands.Add(LogsCommand.Build());
        root.Subcommands.Add(EventsCommand.Build());
        root.Subcommands.Add(TokenCommands.Build());
        root.Subcommands.Add(CaCommands.Build());
        root.Subcommands.Add(OrganizationCommands.Build());
        root.Subcommands.Add(UserCommands.Build());
        root.Subcommands.Add(SecretCommands.Build());
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await SignalOwnedInvocation.InvokeAsync(Build().Parse(args));
        }
        catch (CliException e)
        {
            Output.Error(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            return ExitCodes.Failure;
        }
    }

    /// <summary>Wraps an action so that its <see cref="CliException"/> becomes a message and an exit code.</summary>
    public static void Handle(this Command command, Func<ParseResult, CancellationToken, Task<int>> action) =>
        command.SetAction(async (ParseResult parse, CancellationToken ct) =>
        {
            try
            {
                return await action(parse, ct);
            }
            catch (CliException e)
            {
                Output.Error(e.Message);
                return e.ExitCode;
            }
        });
}
