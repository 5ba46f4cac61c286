using System.Security.Claims;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Api;
using Canopy.Root.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Auth;

/// <summary>What Oakestra's dashboard asks about the logged-in user: roles, own password.</summary>
internal static partial class AccountEndpoints
{
    public static void MapAccounts(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("users");
        api.MapGet("/permission/{name}", async (string name, ClaimsPrincipal caller, IRootStore store, CancellationToken ct) =>
            {
                var user = await UserEndpoints.VisibleUserAsync(name, caller, store, ct);
                var membership = (await store.ListMembershipsAsync(caller.OrganizationId(), user.Name, ct)).FirstOrDefault();
                return Results.Ok(new PermissionDocument(membership?.Roles ?? []));
            })
            .Produces<PermissionDocument>()
            .WithSummary("The roles of a user in your organization: your own; an Organization_Admin's members'; Admin: anyone's.");
        api.MapPost("/user/{name}", ChangePasswordAsync)
            .Accepts<ChangePasswordRequest>("application/json").Produces<MessageResponse>()
            .WithSummary("Changes your own password: {\"oldPassword\", \"newPassword\"}.");
    }

    private static async Task<IResult> ChangePasswordAsync(
        string name, HttpContext context, ClaimsPrincipal caller, IRootStore store, ILoggerFactory loggers, CancellationToken ct)
    {
        if (caller.UserName() != name)
        {
            throw ApiProblem.Forbidden($"You can change only your own password here; an Admin sets another user's with PUT /api/user/{name} {{\"password\"}}.");
        }

        var body = await JsonBody.ReadAsync<ChangePasswordRequest>(context.Request, ct);
        var errors = new List<string>();
        if (string.IsNullOrEmpty(body.OldPassword))
        {
            errors.Add("oldPassword: required");
        }

        if (PasswordPolicy.Problem("newPassword", body.NewPassword) is { } weak)
        {
            errors.Add(weak);
        }

        if (errors.Count > 0)
        {
            throw ApiProblem.BadRequest(errors[0], errors);
        }

        var user = await store.GetUserAsync(name, ct) ?? throw ApiProblem.NotFound($"user '{name}' not found");
        if (!PasswordHasher.Verify(body.OldPassword!, user.PasswordHash))
        {
            throw ApiProblem.BadRequest("oldPassword: is not your current password", ["oldPassword: wrong password"]);
        }

        if (body.NewPassword == body.OldPassword)
        {
            throw ApiProblem.BadRequest("newPassword: must differ from the old one", ["newPassword: same as oldPassword"]);
        }

        if (!await store.UpdateUserAsync(user with { PasswordHash = PasswordHasher.Hash(body.NewPassword!) }, ct))
        {
            throw ApiProblem.NotFound($"user '{name}' not found");
        }

        PasswordChanged(loggers.CreateLogger("Canopy.Root.Auth"), name);
        return Results.Ok(new MessageResponse("password changed"));
    }

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "User {UserName} changed their password")]
    private static partial void PasswordChanged(ILogger log, string userName);
}
