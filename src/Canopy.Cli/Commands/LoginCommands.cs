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
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the password from the first line of stdin (scripts: keeps it out of the process list)" };
        var fingerprint = new Option<string?>("--ca-fingerprint")
        {
            Description = "The root's CA fingerprint (sha256:..., as `canopy up` or `canopy ca show` print it) to pin; needed on first use without a terminal, replaces a pinned one",
        };
        var organization = new Option<string?>("--org") { Description = "The organization to work in (name or id); default: root, or your only one" };
        var command = new Command("login", "Log in to a Canopy root and remember the server, its CA fingerprint and the token for later commands")
        {
            username, password, passwordStdin, fingerprint, organization,
        };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            var config = CliConfig.Load();
            var server = ApiClient.ServerOf(GlobalOptions.ServerOf(parse), config);
            var pin = await PinToUseAsync(server, parse.GetValue(fingerprint), config, output, ct);
            using var api = new ApiClient(server, null, config, pin);
            var secret = parse.GetValue(password) ?? (parse.GetValue(passwordStdin) ? FirstLineOfStdin() : null)
                ?? Environment.GetEnvironmentVariable("CANOPY_PASSWORD") ?? Ask(parse.GetValue(username)!);
            var login = await api.LoginAsync(parse.GetValue(username)!, secret, ct, parse.GetValue(organization));
            config.Server = string.Join(',', api.Servers);
            config.Username = parse.GetValue(username);
            config.Token = login.Token;
            config.RefreshToken = login.RefreshToken;
            if (api.CaPin is { } trusted)
            {
                foreach (var replica in api.Servers)
                {
                    config.Pin(replica, trusted);
                }
            }

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

    /// <summary>
    /// The CA to trust for an https server: the one given, else the one pinned earlier, else (first use) the one the server
    /// presents once a person at a terminal confirmed it. Without a terminal the fingerprint must be given.
    /// </summary>
    private static async Task<string?> PinToUseAsync(string servers, string? given, CliConfig config, Output output, CancellationToken ct)
    {
        if (given is not null)
        {
            return Security.CaPin.TryParse(given, out var parsed)
                ? parsed
                : throw new CliException($"--ca-fingerprint: '{given}' is not a CA fingerprint: expected sha256: and 64 hex digits, as `canopy up` and `canopy ca show` print it.",
                    ExitCodes.InvalidInput);
        }

        var replicas = ApiClient.Split(servers);
        if (!replicas[0].StartsWith("https://", StringComparison.OrdinalIgnoreCase) || replicas.Any(r => config.PinFor(r) is not null))
        {
            return null;
        }

        var (server, seen) = await FirstPinAsync(replicas, ct);
        if (Console.IsInputRedirected || Console.IsOutputRedirected)
        {
            throw new CliException(
                $"The server at {server} presents the CA fingerprint {seen}, which is not pinned yet. Check that it is the one `canopy up` " +
                $"printed (or `canopy ca show` on the root's machine), then run again with --ca-fingerprint {seen}.",
                ExitCodes.InvalidInput);
        }

        output.Info($"The server at {server} presents the CA fingerprint\n  {seen}\nCompare it with the one `canopy up` printed (or `canopy ca show` on the root's machine).");
        if (!Output.Live.Confirm("Trust this server and remember its fingerprint?", defaultValue: false))
        {
            throw new CliException("Not logged in: the server's fingerprint was not confirmed.", ExitCodes.Failure);
        }

        return seen;
    }

    /// <summary>The CA the first replica that answers presents (replicas of one root share it).</summary>
    private static async Task<(string Server, string Pin)> FirstPinAsync(IReadOnlyList<string> replicas, CancellationToken ct)
    {
        for (var i = 0; ; i++)
        {
            try
            {
                return (replicas[i], await ServerTrust.FetchPinAsync(replicas[i], ct));
            }
            catch (CliException e) when (e.ExitCode == ExitCodes.ServerUnreachable && i < replicas.Count - 1)
            {
                // Down: the next replica shows the same CA.
            }
        }
    }

    private static string Ask(string username)
    {
        if (Console.IsInputRedirected)
        {
            throw new CliException("No password given: use --password-stdin, --password or $CANOPY_PASSWORD when not running in a terminal.", ExitCodes.InvalidInput);
        }

        return Output.Live.Prompt(new TextPrompt<string>($"Password for {username}:").Secret());
    }

    private static string FirstLineOfStdin() =>
        Console.In.ReadLine()?.TrimEnd('\r', '\n') is { Length: > 0 } line
            ? line
            : throw new CliException("--password-stdin: stdin was empty; the password is its first line.", ExitCodes.InvalidInput);
}
