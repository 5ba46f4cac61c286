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

/// <summary>User administration (Admin role), Oakestra's paths; a user may read their own record.</summary>
internal static partial class UserEndpoints
{
    public const string AdminPolicy = "admin";

    public static void MapUsers(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/auth/register", RegisterAsync).RequireAuthorization(AdminPolicy).WithTags("users")
            .Accepts<RegisterUserRequest>("application/json").Produces<UserDocument>();
        app.MapGet("/api/users/", async (IRootStore store, CancellationToken ct) =>
                Results.Ok((await store.ListUsersAsync(ct)).Select(Document).ToList()))
            .RequireAuthorization(AdminPolicy).WithTags("users").Produces<List<UserDocument>>();
        app.MapGet("/api/user/{name}", GetAsync).WithTags("users").Produces<UserDocument>();
        app.MapPut("/api/user/{name}", UpdateAsync).RequireAuthorization(AdminPolicy).WithTags("users")
            .Accepts<UpdateUserRequest>("application/json").Produces<UserDocument>();
        app.MapDelete("/api/user/{name}", DeleteAsync).RequireAuthorization(AdminPolicy).WithTags("users").Produces<MessageResponse>();
    }

    private static async Task<IResult> RegisterAsync(HttpContext context, IRootStore store, TimeProvider time, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<RegisterBody>(context.Request, ct);
        var errors = new List<string>();
        if (!UserName().IsMatch(body.Name ?? ""))
        {
            errors.Add($"name: '{body.Name}' is not a valid user name (1-64 letters, digits, '.', '_', '@' or '-')");
        }

        if (string.IsNullOrEmpty(body.Password))
        {
            errors.Add("password: required");
        }

        var roles = CheckRoles(body.Roles ?? [Roles.ApplicationProvider], errors);
        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        var user = new UserRecord(body.Name!, PasswordHasher.Hash(body.Password!), roles, body.Email, time.GetUtcNow());
        try
        {
            await store.AddUserAsync(user, ct);
        }
        catch (StoreConflictException e)
        {
            throw ApiProblem.Conflict(e.Message);
        }

        return Results.Ok(Document(user));
    }

    private static async Task<IResult> GetAsync(string name, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
        Results.Ok(Document(await VisibleUserAsync(name, caller, store, ct)));

    /// <summary>Your own record, or anyone's for an Admin; someone else's answers 404 like a missing one.</summary>
    public static async Task<UserRecord> VisibleUserAsync(string name, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
        (caller.IsAdmin() || caller.UserName() == name ? await store.GetUserAsync(name, ct) : null)
        ?? throw ApiProblem.NotFound($"user '{name}' not found");

    private static async Task<IResult> UpdateAsync(string name, HttpContext context, IRootStore store, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<UpdateUserRequest>(context.Request, ct);
        var user = await store.GetUserAsync(name, ct) ?? throw ApiProblem.NotFound($"user '{name}' not found");
        var errors = new List<string>();
        var roles = body.Roles is null ? user.Roles : CheckRoles(body.Roles, errors);
        if (body.Password is { Length: 0 })
        {
            errors.Add("password: must not be empty");
        }

        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        if (user.Roles.Contains(Roles.Admin) && !roles.Contains(Roles.Admin))
        {
            await EnsureAnotherAdminAsync(store, name, ct);
        }

        var updated = user with
        {
            PasswordHash = body.Password is null ? user.PasswordHash : PasswordHasher.Hash(body.Password),
            Roles = roles,
            Email = body.Email ?? user.Email,
        };
        return await store.UpdateUserAsync(updated, ct) ? Results.Ok(Document(updated)) : throw ApiProblem.NotFound($"user '{name}' not found");
    }

    private static async Task<IResult> DeleteAsync(string name, IRootStore store, CancellationToken ct)
    {
        var user = await store.GetUserAsync(name, ct) ?? throw ApiProblem.NotFound($"user '{name}' not found");
        if (user.Roles.Contains(Roles.Admin))
        {
            await EnsureAnotherAdminAsync(store, name, ct);
        }

        await store.DeleteUserAsync(name, ct);
        return Results.Ok(new MessageResponse($"user '{name}' deleted"));
    }

    /// <summary>Nobody could administer users any more without an Admin.</summary>
    private static async Task EnsureAnotherAdminAsync(IRootStore store, string name, CancellationToken ct)
    {
        var users = await store.ListUsersAsync(ct);
        if (!users.Any(u => u.Name != name && u.Roles.Contains(Roles.Admin)))
        {
            throw ApiProblem.Conflict($"'{name}' is the last user with the Admin role; give another user that role first");
        }
    }

    private static List<string> CheckRoles(IEnumerable<string> requested, List<string> errors)
    {
        var roles = new List<string>();
        foreach (var role in requested)
        {
            var known = Roles.All.FirstOrDefault(r => string.Equals(r, role, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                errors.Add($"roles: unknown role '{role}' (known: {string.Join(", ", Roles.All)})");
            }
            else if (!roles.Contains(known))
            {
                roles.Add(known);
            }
        }

        return roles;
    }

    public static UserDocument Document(UserRecord user) =>
        new(user.Name, user.Roles, user.Email, user.CreatedAt) { Id = new ObjectIdDocument(ObjectIds.ForUser(user.Name)) };

    private sealed record RegisterBody(string? Name, string? Password, List<string>? Roles, string? Email);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")]
    private static partial Regex UserName();
}
