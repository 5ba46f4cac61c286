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
        var organization = new Option<string?>("--org", "-o") { Description = "The organization to work in (name or id); default: root, or your only one" };
        var command = new Command("login", "Log in to a Canopy root and remember the server and token for later commands") { username, password, organization };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            var config = CliConfig.Load();
            var server = parse.GetValue(GlobalOptions.Server);
            using var api = new ApiClient(server, null, config);
            var secret = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("CANOPY_PASSWORD") ?? Ask(parse.GetValue(username)!);
            var login = await api.LoginAsync(parse.GetValue(username)!, secret, ct, parse.GetValue(organization));
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
        var command = new Command("logout", "Revoke the remembered refresh token at the root and forget the tokens");
        command.Handle(async (parse, ct) =>
        {
            var config = CliConfig.Load();
            var output = GlobalOptions.OutputOf(parse);
            if (config.RefreshToken is { } refresh && config.Server is not null)
            {
                try
                {
                    using var api = new ApiClient(config.Server, null, config);
                    await api.LogoutAsync(refresh, ct);
                }
                catch (Exception e) when (e is CliException or HttpRequestException)
                {
                    // The tokens are forgotten anyway; the refresh token stays good at the root until it expires.
                    output.Warn($"The root did not revoke the refresh token ({e.Message}); it stays valid until it expires.");
                }
            }

            config.Token = null;
            config.RefreshToken = null;
            config.Save();
            output.Info("Logged out.");
            return ExitCodes.Success;
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
