using System.CommandLine;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Spectre.Console;

namespace Canopy.Cli.Commands;

public static class LoginCommands
{
    public static Command Login()
    {
        var username = new Option<string>("--username", "-u") { Description = "User name", DefaultValueFactory = _ => "Admin" };
        var password = new Option<string?>("--password", "-p") { Description = "Password (else $CANOPY_PASSWORD, else asked)" };
        var command = new Command("login", "Log in to a Canopy root and remember the server and token for later commands") { username, password };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            var config = CliConfig.Load();
            var server = parse.GetValue(GlobalOptions.Server);
            using var api = new ApiClient(server, null, config);
            var secret = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("CANOPY_PASSWORD") ?? Ask(parse.GetValue(username)!);
            var login = await api.LoginAsync(parse.GetValue(username)!, secret, ct);
            config.Server = api.Server;
            config.Username = parse.GetValue(username);
            config.Token = login.Token;
            config.RefreshToken = login.RefreshToken;
            config.Save();
            if (output.IsJson)
            {
                output.Json(login);
            }
            else
            {
                output.Info($"Logged in to {api.Server} as {config.Username}. Token saved in {CliConfig.Path}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    public static Command Logout()
    {
        var command = new Command("logout", "Forget the remembered token");
        command.Handle((parse, _) =>
        {
            var config = CliConfig.Load();
            config.Token = null;
            config.RefreshToken = null;
            config.Save();
            GlobalOptions.OutputOf(parse).Info("Logged out.");
            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static string Ask(string username)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliException("No password given: use --password or $CANOPY_PASSWORD when not running in a terminal.", ExitCodes.InvalidInput);
        }

        return Output.Live.Prompt(new TextPrompt<string>($"Password for {username}:").Secret());
    }
}
