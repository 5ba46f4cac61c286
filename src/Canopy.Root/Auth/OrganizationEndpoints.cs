using System.Security.Claims;
using System.Text.RegularExpressions;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Auth;

/// <summary>
/// Oakestra's organization paths (Admin: create, rename, delete, every organization), and Canopy's member paths, which an
/// Organization_Admin may use for their own organization. Organizations are addressed by id (Oakestra) or by name.
/// </summary>
internal static partial class OrganizationEndpoints
{
    public static void MapOrganizations(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("organizations");
        api.MapGet("/organization/", ListAsync).RequireAuthorization(Policies.Members).Produces<List<OrganizationDocument>>()
            .WithSummary("Admin: every organization; Organization_Admin: yours.");
        api.MapPost("/organization/", CreateAsync).RequireAuthorization(Policies.Admin)
            .Accepts<OrganizationRequest>("application/json").Produces<OrganizationDocument>()
            .WithSummary("A new organization {\"name\", \"member\": [{\"user_id\" or \"user_name\", \"roles\"}]}.");
        api.MapGet("/organization/{id}", async (string id, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
                Results.Ok(await DocumentAsync(store, await MemberRules.ManagedOrganizationAsync(store, caller, id, ct), ct)))
            .RequireAuthorization(Policies.Members).Produces<OrganizationDocument>();
        api.MapPut("/organization/{id}", UpdateAsync).RequireAuthorization(Policies.Admin)
            .Accepts<OrganizationRequest>("application/json").Produces<OrganizationDocument>()
            .WithSummary("Renames it and, when \"member\" is given, makes these its members.");
        api.MapDelete("/organization/{id}", DeleteAsync).RequireAuthorization(Policies.Admin).Produces<MessageResponse>()
            .WithSummary("Deletes an organization without applications; its users stay, without this membership.");
        api.MapPut("/organization/{id}/members/{user}", SetMemberAsync).RequireAuthorization(Policies.Members)
            .Accepts<MemberRolesRequest>("application/json").Produces<OrganizationDocument>()
            .WithSummary("Adds an existing user to the organization, or sets their roles there.");
        api.MapDelete("/organization/{id}/members/{user}", RemoveMemberAsync).RequireAuthorization(Policies.Members)
            .Produces<OrganizationDocument>().WithSummary("Removes a user from the organization (the account stays).");
        api.MapGet("/users/{organizationId}", async (string organizationId, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
            {
                var organization = await MemberRules.ManagedOrganizationAsync(store, caller, organizationId, ct);
                var organizations = (await store.ListOrganizationsAsync(ct)).ToDictionary(o => o.Id);
                var memberships = (await store.ListMembershipsAsync(null, null, ct)).ToLookup(m => m.UserName);
                var members = (await store.ListMembershipsAsync(organization.Id, null, ct)).Select(m => m.UserName).ToHashSet();
                return Results.Ok((await store.ListUsersAsync(ct)).Where(u => members.Contains(u.Name))
                    .Select(u => MemberRules.Document(u, memberships[u.Name].Where(m => caller.MaySee(m.OrganizationId)).ToList(), organizations, organization.Id))
                    .ToList());
            })
            .RequireAuthorization(Policies.Members).WithTags("users").Produces<List<UserDocument>>()
            .WithSummary("The users of an organization with their roles there (Admin: any; Organization_Admin: yours).");
    }

    private static async Task<IResult> ListAsync(ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        var documents = new List<OrganizationDocument>();
        foreach (var organization in (await store.ListOrganizationsAsync(ct)).Where(o => caller.MaySee(o.Id)))
        {
            documents.Add(await DocumentAsync(store, organization, ct));
        }

        return Results.Ok(documents);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext context, ClaimsPrincipal caller, IRootStore store, TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<OrganizationRequest>(context.Request, ct);
        var errors = new List<string>();
        var name = CheckName(body.Name, errors);
        var organization = new OrganizationRecord(ObjectIds.New(time), name ?? "", time.GetUtcNow());
        var members = await MembersAsync(store, organization, body.Member ?? [], errors, ct);
        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        try
        {
            await store.AddOrganizationAsync(organization, members, ct);
        }
        catch (StoreConflictException e)
        {
            throw ApiProblem.Conflict(e.Message);
        }

        Created(loggers.CreateLogger("Canopy.Root.Auth"), organization.Name, organization.Id, caller.UserName());
        return Results.Ok(await DocumentAsync(store, organization, ct));
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext context, ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        var organization = await MemberRules.ManagedOrganizationAsync(store, caller, id, ct);
        var body = await JsonBody.ReadAsync<OrganizationRequest>(context.Request, ct);
        var errors = new List<string>();
        var name = body.Name is null ? organization.Name : CheckName(body.Name, errors);
        if (organization.Id == Organizations.DefaultId && name != Organizations.DefaultName)
        {
            errors.Add($"name: the default organization stays '{Organizations.DefaultName}'");
        }

        var members = body.Member is null ? null : await MembersAsync(store, organization, body.Member, errors, ct);
        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        if (members is not null && organization.Id == Organizations.DefaultId && !members.Any(m => m.Roles.Contains(Roles.Admin)))
        {
            throw ApiProblem.Conflict("the members of root would have no Admin; keep at least one");
        }

        var updated = organization with { Name = name! };
        try
        {
            return await store.UpdateOrganizationAsync(updated, members, ct)
                ? Results.Ok(await DocumentAsync(store, updated, ct))
                : throw ApiProblem.NotFound($"organization '{id}' not found");
        }
        catch (StoreConflictException e)
        {
            throw ApiProblem.Conflict(e.Message);
        }
    }

    private static async Task<IResult> DeleteAsync(string id, ClaimsPrincipal caller, IRootStore store, ILoggerFactory loggers, CancellationToken ct)
    {
        var organization = await MemberRules.ManagedOrganizationAsync(store, caller, id, ct);
        if (organization.Id == Organizations.DefaultId)
        {
            throw ApiProblem.Conflict($"the default organization '{Organizations.DefaultName}' cannot be deleted");
        }

        try
        {
            await store.DeleteOrganizationAsync(organization.Id, ct);
        }
        catch (StoreConflictException e)
        {
            throw ApiProblem.Conflict($"organization '{organization.Name}': {e.Message}");
        }

        Deleted(loggers.CreateLogger("Canopy.Root.Auth"), organization.Name, organization.Id, caller.UserName());
        return Results.Ok(new MessageResponse($"organization '{organization.Name}' deleted"));
    }

    private static async Task<IResult> SetMemberAsync(
        string id, string user, HttpContext context, ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        var organization = await MemberRules.ManagedOrganizationAsync(store, caller, id, ct);
        var body = await JsonBody.ReadAsync<MemberRolesRequest>(context.Request, ct);
        var errors = new List<string>();
        var roles = MemberRules.CheckRoles(body.Roles ?? [Roles.ApplicationProvider], errors);
        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        MemberRules.EnsureMayGrant(caller, organization, roles);
        if (organization.Id == Organizations.DefaultId && !roles.Contains(Roles.Admin) && await MemberRules.IsAdminAsync(store, user, ct))
        {
            await MemberRules.EnsureAnotherAdminAsync(store, user, ct);
        }

        return await store.SetMembershipAsync(new MembershipRecord(organization.Id, user, roles), ct)
            ? Results.Ok(await DocumentAsync(store, organization, ct))
            : throw ApiProblem.NotFound($"user '{user}' not found; register it first (canopy user create)");
    }

    private static async Task<IResult> RemoveMemberAsync(string id, string user, ClaimsPrincipal caller, IRootStore store, CancellationToken ct)
    {
        var organization = await MemberRules.ManagedOrganizationAsync(store, caller, id, ct);
        if (organization.Id == Organizations.DefaultId && await MemberRules.IsAdminAsync(store, user, ct))
        {
            await MemberRules.EnsureAnotherAdminAsync(store, user, ct);
        }

        return await store.RemoveMembershipAsync(organization.Id, user, ct)
            ? Results.Ok(await DocumentAsync(store, organization, ct))
            : throw ApiProblem.NotFound($"'{user}' is not a member of organization '{organization.Name}'");
    }

    private static async Task<List<MembershipRecord>> MembersAsync(
        IRootStore store, OrganizationRecord organization, IReadOnlyList<OrganizationMemberRequest> requested,
        List<string> errors, CancellationToken ct)
    {
        var users = await store.ListUsersAsync(ct);
        var members = new List<MembershipRecord>();
        for (var i = 0; i < requested.Count; i++)
        {
            var given = requested[i].UserName ?? requested[i].UserId;
            var user = users.FirstOrDefault(u => u.Name == given || ObjectIds.ForUser(u.Name) == given);
            if (user is null)
            {
                errors.Add($"member[{i}]: no user '{given}' (name it by user_name or user_id; register it first)");
                continue;
            }

            var roles = MemberRules.CheckRoles(requested[i].Roles ?? [], errors);
            if (roles.Contains(Roles.Admin) && organization.Id != Organizations.DefaultId)
            {
                errors.Add($"member[{i}].roles: Admin is a role of the organization '{Organizations.DefaultName}' only; use Organization_Admin");
            }

            if (members.Any(m => m.UserName == user.Name))
            {
                errors.Add($"member[{i}]: '{user.Name}' appears twice");
            }

            members.Add(new MembershipRecord(organization.Id, user.Name, roles));
        }

        return members;
    }

    private static string? CheckName(string? name, List<string> errors)
    {
        if (name is not null && OrganizationName().IsMatch(name))
        {
            return name;
        }

        errors.Add($"name: '{name}' is not a valid organization name (1-64 letters, digits, '.', '_' or '-', starting with a letter or digit)");
        return null;
    }

    private static async Task<OrganizationDocument> DocumentAsync(IRootStore store, OrganizationRecord organization, CancellationToken ct) =>
        new(new ObjectIdDocument(organization.Id), organization.Name,
            (await store.ListMembershipsAsync(organization.Id, null, ct))
            .Select(m => new OrganizationMember(ObjectIds.ForUser(m.UserName), m.Roles) { UserName = m.UserName }).ToList())
        {
            CreatedAt = organization.CreatedAt,
        };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    private static partial Regex OrganizationName();

    [LoggerMessage(EventId = 1106, Level = LogLevel.Information, Message = "Organization {Name} ({Id}) created by {User}")]
    private static partial void Created(ILogger log, string name, string id, string user);

    [LoggerMessage(EventId = 1107, Level = LogLevel.Information, Message = "Organization {Name} ({Id}) deleted by {User}")]
    private static partial void Deleted(ILogger log, string name, string id, string user);
}
