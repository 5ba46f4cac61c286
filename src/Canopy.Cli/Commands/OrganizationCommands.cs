using System.CommandLine;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

/// <summary>
/// <c>canopy org create|list|delete</c> and <c>canopy org members add|remove</c>: Oakestra's organizations. Admins manage every
/// organization; an Organization_Admin lists and manages the members of their own.
/// </summary>
public static class OrganizationCommands
{
    public static Command Build()
    {
        var org = new Command("org", "Organizations (tenants): who sees which applications; `canopy org members` for who is in one");
        org.Subcommands.Add(Create());
        org.Subcommands.Add(List());
        org.Subcommands.Add(Delete());
        var members = new Command("members", "Users in an organization and their roles there");
        members.Subcommands.Add(AddMember());
        members.Subcommands.Add(RemoveMember());
        org.Subcommands.Add(members);
        return org;
    }

    /// <summary>Repeatable <c>--role</c>, Oakestra's role names (any case).</summary>
    public static Option<string[]> RoleOption(string defaultRole) => new("--role", "-r")
    {
        Description = $"A role (repeat for more): {string.Join(", ", Contracts.Api.Roles.All)}; default {defaultRole}",
        AllowMultipleArgumentsPerToken = false,
    };

    private static Argument<string> OrganizationArgument() => new("organization") { Description = "The organization's name or id" };

    private static string Path(string organization) => $"api/organization/{Uri.EscapeDataString(organization)}";

    private static Command Create()
    {
        var name = new Argument<string>("name") { Description = "Letters, digits, '.', '_' or '-'" };
        var command = new Command("create", "Create an organization (Admin); add users with `canopy org members add` or `canopy user create --org`") { name };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var created = await api.PostAsync<OrganizationDocument>("api/organization/", new OrganizationRequest(parse.GetValue(name), []), ct);
            if (output.IsJson)
            {
                output.Json(created);
            }
            else
            {
                output.Info($"Created organization {created.Name} ({created.Id.Oid}).");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "Organizations with their members and roles (Admin: all; Organization_Admin: yours)");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var organizations = await api.GetAsync<List<OrganizationDocument>>("api/organization/", ct);
            if (output.IsJson)
            {
                output.Json(organizations);
                return ExitCodes.Success;
            }

            output.Table(["NAME", "ID", "MEMBERS"], organizations.Select(o => (IReadOnlyList<string>)
            [
                o.Name, o.Id.Oid,
                o.Member.Count == 0 ? "-" : string.Join(", ", o.Member.Select(m => $"{m.UserName ?? m.UserId} ({string.Join("+", m.Roles)})")),
            ]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var organization = OrganizationArgument();
        var command = new Command("delete", "Delete an organization that has no applications left (Admin); its users stay") { organization };
        command.Handle(async (parse, ct) =>
        {
            using var api = GlobalOptions.ClientOf(parse);
            var answer = await api.DeleteAsync(Path(parse.GetValue(organization)!), ct);
            return Report(parse, answer, answer.TryGetProperty("message", out var m) ? m.GetString() ?? "deleted" : "deleted");
        });
        return command;
    }

    private static Command AddMember()
    {
        var organization = OrganizationArgument();
        var user = new Argument<string>("user") { Description = "An existing user's name" };
        var roles = RoleOption(Contracts.Api.Roles.ApplicationProvider);
        var command = new Command("add", "Add a user to an organization, or set their roles there") { organization, user, roles };
        command.Handle(async (parse, ct) =>
        {
            var given = parse.GetValue(roles) is { Length: > 0 } r ? r : [Contracts.Api.Roles.ApplicationProvider];
            var path = $"{Path(parse.GetValue(organization)!)}/members/{Uri.EscapeDataString(parse.GetValue(user)!)}";
            using var api = GlobalOptions.ClientOf(parse);
            var updated = await api.PutAsync<OrganizationDocument>(path, new MemberRolesRequest(given), ct);
            return Report(parse, updated, $"{parse.GetValue(user)} is a member of {updated.Name} with {string.Join(", ", given)}.");
        });
        return command;
    }

    private static Command RemoveMember()
    {
        var organization = OrganizationArgument();
        var user = new Argument<string>("user") { Description = "The member's user name" };
        var command = new Command("remove", "Remove a user from an organization (the account stays)") { organization, user };
        command.Handle(async (parse, ct) =>
        {
            var path = $"{Path(parse.GetValue(organization)!)}/members/{Uri.EscapeDataString(parse.GetValue(user)!)}";
            using var api = GlobalOptions.ClientOf(parse);
            var answer = await api.DeleteAsync(path, ct);
            var name = answer.TryGetProperty("name", out var n) ? n.GetString() : parse.GetValue(organization);
            return Report(parse, answer, $"{parse.GetValue(user)} is no longer a member of {name}.");
        });
        return command;
    }

    private static int Report<T>(ParseResult parse, T answer, string message)
    {
        var output = GlobalOptions.OutputOf(parse);
        if (output.IsJson)
        {
            output.Json(answer);
        }
        else
        {
            output.Info(message);
        }

        return ExitCodes.Success;
    }
}
