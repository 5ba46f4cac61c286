using System.CommandLine;
using System.Globalization;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

/// <summary>
/// <c>canopy secret create|list|delete</c>: secrets kept encrypted at the root, for <c>registry_secret</c> and <c>secrets</c> in
/// descriptors. Values go in (a password only through stdin, so it is in no shell history or process list) and are never printed.
/// </summary>
public static class SecretCommands
{
    public static Command Build()
    {
        var secret = new Command("secret", "Secrets for descriptors: registry logins (registry_secret) and key/value data (secrets); values are never shown");
        secret.Subcommands.Add(Create());
        secret.Subcommands.Add(List());
        secret.Subcommands.Add(Delete());
        return secret;
    }

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "The secret's name, as descriptors name it" };
        var literals = new Option<string[]>("--from-literal") { Description = "A KEY=VALUE pair (repeatable)", AllowMultipleArgumentsPerToken = false };
        var registry = new Option<string?>("--registry") { Description = "A registry login for this host, as image references name it (e.g. registry.example.com:5000)" };
        var username = new Option<string?>("--username") { Description = "The registry user name (with --registry)" };
        var passwordStdin = new Option<bool>("--password-stdin") { Description = "Read the registry password from stdin (with --registry)" };
        var command = new Command("create", "Store a secret: --from-literal KEY=VALUE ... or --registry HOST --username USER --password-stdin")
        {
            name, literals, registry, username, passwordStdin,
        };
        command.Handle(async (parse, ct) =>
        {
            var request = Request(parse.GetValue(name)!, parse.GetValue(literals) ?? [], parse.GetValue(registry), parse.GetValue(username),
                parse.GetValue(passwordStdin));
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var created = await api.PostAsync<SecretDocument>("api/v1/secrets", request, ct);
            if (output.IsJson)
            {
                output.Json(created);
            }
            else
            {
                output.Info(created.Kind == SecretKinds.Registry
                    ? $"Created secret {created.Name}: a login for {created.RegistryHost}; name it in a service's \"registry_secret\"."
                    : $"Created secret {created.Name} with keys {string.Join(", ", created.Keys)}; name it in a service's \"secrets\".");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static CreateSecretRequest Request(string name, string[] literals, string? registry, string? username, bool passwordStdin)
    {
        if (registry is null)
        {
            if (username is not null || passwordStdin)
            {
                throw new CliException("--username and --password-stdin go with --registry HOST", ExitCodes.InvalidInput);
            }

            if (literals.Length == 0)
            {
                throw new CliException("give --from-literal KEY=VALUE (repeatable) or --registry HOST --username USER --password-stdin", ExitCodes.InvalidInput);
            }

            var data = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var literal in literals)
            {
                var eq = literal.IndexOf('=');
                if (eq <= 0)
                {
                    // Never echo the entry: it may be the value itself.
                    throw new CliException(eq < 0 ? "--from-literal: an entry has no '='; write KEY=VALUE" : "--from-literal: an entry has no key before '='",
                        ExitCodes.InvalidInput);
                }

                if (!data.TryAdd(literal[..eq], literal[(eq + 1)..]))
                {
                    throw new CliException($"--from-literal: key {literal[..eq]} is given twice", ExitCodes.InvalidInput);
                }
            }

            return new CreateSecretRequest(name, data);
        }

        if (literals.Length > 0)
        {
            throw new CliException("--from-literal and --registry do not go together: a secret is key/value data or a registry login", ExitCodes.InvalidInput);
        }

        if (username is null || !passwordStdin)
        {
            throw new CliException("--registry needs --username USER and --password-stdin (the password on stdin, e.g. `echo \"$PW\" | canopy secret create ...`)",
                ExitCodes.InvalidInput);
        }

        var password = Console.In.ReadToEnd().TrimEnd('\r', '\n');
        return password.Length == 0
            ? throw new CliException("--password-stdin: stdin held no password", ExitCodes.InvalidInput)
            : new CreateSecretRequest(name, Registry: new RegistryLogin(registry, username, password));
    }

    private static Command List()
    {
        var command = new Command("list", "Your secrets: names, kinds, keys, registry hosts (never values)");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var secrets = await api.GetAsync<List<SecretDocument>>("api/v1/secrets", ct);
            if (output.IsJson)
            {
                output.Json(secrets);
                return ExitCodes.Success;
            }

            output.Table(["NAME", "KIND", "KEYS / REGISTRY", "CREATED", "BY"], secrets.Select(s => (IReadOnlyList<string>)
            [
                s.Name, s.Kind, s.Kind == SecretKinds.Registry ? Format.OrDash(s.RegistryHost) : string.Join(", ", s.Keys),
                s.CreatedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Format.OrDash(s.CreatedBy),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The secret's name" };
        var command = new Command("delete", "Delete a secret no service names any more") { name };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var deleted = await api.DeleteAsync($"api/v1/secrets/{Uri.EscapeDataString(parse.GetValue(name)!)}", ct);
            if (output.IsJson)
            {
                output.Json(deleted);
            }
            else
            {
                output.Info($"Deleted secret {parse.GetValue(name)}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
