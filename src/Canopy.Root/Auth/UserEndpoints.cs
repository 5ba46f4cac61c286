using System.Security.Claims;
using System.Text.RegularExpressions;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Canopy.Root.Auth;

/// <summary>
/// User administration, Oakestra's paths: Admins for every organization, Organization_Admins for their own (<see cref="MemberRules"/>);
/// a user may read their own record.
/// </summary>
internal static partial class UserEndpoints
{
    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/register", RegisterAsync).RequireAuthorization(Policies.Members).WithTags("users")
            .Accepts<RegisterUserRequest>("application/json").Produces<UserDocument>()
            .WithSummary("A new user in an organization (\"organization\", default: yours) with roles there.");
        app.MapGet("/api/users/", ListAsync).RequireAuthorization(Policies.Members).WithTags("users").Produces<List<UserDocument>>()
            .WithSummary("Admin: every user; Organization_Admin: the members of your organization.");
        app.MapGet("/api/user/{name}", GetAsync).WithTags("users").Produces<UserDocument>();
        app.MapPut("/api/user/{name}", UpdateAsync).RequireAuthorization(Policies.Members).WithTags("users")
            .Accepts<UpdateUserRequest>("application/json").Produces<UserDocument>()
            .WithSummary("Password, email, and roles in an organization (\"organization\", default: yours; adds the user to it).");
        app.MapDelete("/api/user/{name}", DeleteAsync).RequireAuthorization(Policies.Members).WithTags("users").Produces<MessageResponse>();
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, ClaimsPrincipal caller, IRootStore store, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RegisterBody>(context.Request, ct);
        var errors = new List<string>();
        if (!UserName().IsMatch(body.Name ?? ""))
        {
            errors.Add($"name: '{body.Name}' is not a valid user name (1-64 letters, digits, '.', '_', '@' or '-')");
        }

        if (PasswordPolicy.Problem("password", body.Password) is { } weak)
        {
            errors.Add(weak);
        }

        var roles = MemberRules.CheckRoles(body.Roles ?? [Roles.ApplicationProvider], errors);
        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        var organization = await MemberRules.ManagedOrganizationAsync(store, caller, body.Organization, ct);
        MemberRules.EnsureMayGrant(caller, organization, roles);
        var user = new UserRecord(body.Name!, PasswordHasher.Hash(body.Password!), body.Email, time.GetUtcNow());
        try
        {
            if (!await store.AddUserAsync(user, new MembershipRecord(organization.Id, user.Name, roles), ct))
            {
                throw ApiProblem.NotFound($"organization '{organization.Name}' not found");
            }
        }
        catch (StoreConflictException e)
        {
            throw ApiProblem.Conflict(e.Message);
        }

        return Results.Ok(await MemberRules.DocumentAsync(store, caller, user, organization.Id, ct));
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        var organizations = (await store.ListOrganizationsAsync(ct)).ToDictionary(o => o.Id);
        var memberships = (await store.ListMembershipsAsync(null, null, ct)).ToLookup(m => m.UserName);
        var users = await store.ListUsersAsync(ct);
        return Results.Ok(users
            .Where(u => caller.IsAdmin() || memberships[u.Name].Any(m => m.OrganizationId == caller.OrganizationId()))
            .Select(u => MemberRules.Document(u, memberships[u.Name].Where(m => caller.MaySee(m.OrganizationId)).ToList(), organizations, caller.OrganizationId()))
            .ToList());
    }

    private static async Task<IResult> GetAsync(string name, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
        Results.Ok(await MemberRules.DocumentAsync(store, caller, await VisibleUserAsync(name, caller, store, ct), caller.OrganizationId(), ct));

    /// <summary>Your own record, anyone's for an Admin, your organization's members' for an Organization_Admin; others answer 404 like a missing one.</summary>
    public static async Task<UserRecord> VisibleUserAsync(string name, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
        await MemberRules.VisibleUserAsync(store, caller, name, ct) ?? throw ApiProblem.NotFound($"user '{name}' not found");

    private static async Task<IResult> UpdateAsync(string name, HttpContext context, ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<UpdateUserRequest>(context.Request, ct);
        var user = await VisibleUserAsync(name, caller, store, ct);
        var errors = new List<string>();
        var roles = body.Roles is null ? null : MemberRules.CheckRoles(body.Roles, errors);
        if (body.Password is not null && PasswordPolicy.Problem("password", body.Password) is { } weak)
        {
            errors.Add(weak);
        }

        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        if (body.Password is not null || body.Email is not null)
        {
            await MemberRules.EnsureMayChangeAccountAsync(store, caller, name, ct);
        }

        var organization = await MemberRules.ManagedOrganizationAsync(store, caller, body.Organization, ct);
        if (roles is not null)
        {
            MemberRules.EnsureMayGrant(caller, organization, roles);
            if (organization.Id == Organizations.DefaultId && !roles.Contains(Roles.Admin) && await MemberRules.IsAdminAsync(store, name, ct))
            {
                await MemberRules.EnsureAnotherAdminAsync(store, name, ct);
            }
        }

        var updated = user with
        {
            PasswordHash = body.Password is null ? user.PasswordHash : PasswordHasher.Hash(body.Password),
            Email = body.Email ?? user.Email,
        };
        if (!await store.UpdateUserAsync(updated, ct) ||
            (roles is not null && !await store.SetMembershipAsync(new MembershipRecord(organization.Id, name, roles), ct)))
        {
            throw ApiProblem.NotFound($"user '{name}' not found");
        }

        return Results.Ok(await MemberRules.DocumentAsync(store, caller, updated, organization.Id, ct));
    }

    private static async Task<IResult> DeleteAsync(string name, ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        await VisibleUserAsync(name, caller, store, ct);
        await MemberRules.EnsureMayChangeAccountAsync(store, caller, name, ct);
        if (await MemberRules.IsAdminAsync(store, name, ct))
        {
            await MemberRules.EnsureAnotherAdminAsync(store, name, ct);
        }

        await store.DeleteUserAsync(name, ct);
        return Results.Ok(new MessageResponse($"user '{name}' deleted"));
    }

    private sealed record RegisterBody(string? Name, string? Password, List<string>? Roles, string? Email, string? Organization);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")]
    private static partial Regex UserName();
}
