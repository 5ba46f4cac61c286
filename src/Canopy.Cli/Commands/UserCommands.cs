using System.CommandLine;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

/// <summary><c>canopy user create|list|delete</c>: accounts, each with roles in one or more organizations.</summary>
public static class UserCommands
{
    public static Command Build()
    {
        var user = new Command("user", "User accounts (Admin: all; Organization_Admin: those of your organization)");
        user.Subcommands.Add(Create());
        user.Subcommands.Add(List());
        user.Subcommands.Add(Delete());
        return user;
    }

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "1-64 letters, digits, '.', '_', '@' or '-'" };
        var roles = OrganizationCommands.RoleOption(Contracts.Api.Roles.ApplicationProvider);
        var organization = new Option<string?>("--org") { Description = "The organization the user joins (name or id); default: the one you are logged in to" };
        var password = new Option<string?>("--password", "-p") { Description = "At least 12 characters (else $CANOPY_NEW_PASSWORD, else the first line of stdin)" };
        var email = new Option<string?>("--email") { Description = "Contact address" };
        var command = new Command("create", "Create a user with roles in an organization") { name, roles, organization, password, email };
        command.Handle(async (parse, ct) =>
        {
            var secret = parse.GetValue(password) ?? Environment.GetEnvironmentVariable("CANOPY_NEW_PASSWORD") ?? ReadStdin();
            var given = parse.GetValue(roles) is { Length: > 0 } r ? r : [Contracts.Api.Roles.ApplicationProvider];
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var created = await api.PostAsync<UserDocument>("api/auth/register",
                new RegisterUserRequest(parse.GetValue(name)!, secret, given, parse.GetValue(email)) { Organization = parse.GetValue(organization) }, ct);
            if (output.IsJson)
            {
                output.Json(created);
            }
            else
            {
                output.Info($"Created user {created.Name}: {Memberships(created)}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Users with their organizations and roles");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var users = await api.GetAsync<List<UserDocument>>("api/users/", ct);
            if (output.IsJson)
            {
                output.Json(users);
                return ExitCodes.Success;
            }

            output.Table(["NAME", "ORGANIZATIONS (ROLES)", "EMAIL"], users.Select(u => (IReadOnlyList<string>)
                [u.Name, Memberships(u), Format.OrDash(u.Email)]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var name = new Argument<string>("name") { Description = "The user's name" };
        var command = new Command("delete", "Delete a user account and its memberships") { name };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var answer = await api.DeleteAsync($"api/user/{Uri.EscapeDataString(parse.GetValue(name)!)}", ct);
            if (output.IsJson)
            {
                output.Json(answer);
            }
            else
            {
                output.Info(answer.TryGetProperty("message", out var m) ? m.GetString() ?? "deleted" : "deleted");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string Memberships(UserDocument user) => user.Organizations is { Count: > 0 } organizations
        ? string.Join("; ", organizations.Select(o => $"{o.Name} ({(o.Roles.Count == 0 ? "no roles" : string.Join(", ", o.Roles))})"))
        : string.Join(", ", user.Roles);

    private static string ReadStdin()
    {
        if (!Console.IsInputRedirected)
        {
            throw new CliException("No password given: use --password, $CANOPY_NEW_PASSWORD, or pipe it on stdin.", ExitCodes.InvalidInput);
        }

        return Console.In.ReadLine()?.TrimEnd('\r', '\n') ?? throw new CliException("stdin was empty; the password is its first line.", ExitCodes.InvalidInput);
    }
}
