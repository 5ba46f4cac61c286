using System.Security.Claims;
using System.Text.Encodings.Web;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Canopy.Cluster.Auth;

/// <summary>
/// Who calls the cluster's API: <c>Authorization: Bearer</c> with the cluster's admin token, or with an access token the root issued
/// to one of its users (checked offline, <see cref="RootUserTokens"/>). The root's roles apply as at the root: nodes and traffic
/// (infrastructure) need Admin or Infrastructure_Provider (<see cref="InfrastructurePolicy"/>); every other endpoint needs Admin unless
/// it allows anonymous callers (health, Oakestra's status probe, node registration, which checks its own join token or node secret).
/// The cluster's instance list is unfiltered, every organization's instances (the cluster does not know organizations), so only an
/// Admin reads it; other users read their organization's through the root.
/// </summary>
internal sealed class ClusterAuthentication(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ClusterAdminToken admin, RootUserTokens users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "canopy";

    /// <summary>Nodes and traffic: shared infrastructure, as the root's clusters, nodes and join tokens.</summary>
    public const string InfrastructurePolicy = "infrastructure";

    private const string Hint =
        "This cluster's API needs 'Authorization: Bearer <token>' with the access token of an Admin user of its root (POST /api/auth/login " +
        "at the root, or `canopy login`), or with this cluster's admin token (the file admin-token in the cluster's data dir, made at its first start).";

    public static IServiceCollection AddClusterAuthentication(IServiceCollection services)
    {
        services.AddSingleton<RootUserTokens>();
        services.AddAuthentication(SchemeName).AddScheme<AuthenticationSchemeOptions, ClusterAuthentication>(SchemeName, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(SchemeName).RequireRole(Roles.Admin).Build())
            .AddPolicy(InfrastructurePolicy, new AuthorizationPolicyBuilder(SchemeName).RequireRole(Roles.Admin, Roles.InfrastructureProvider).Build());
        return services;
    }

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header does not hold a bearer token.");
        }

        var token = header["Bearer ".Length..].Trim();
        if (admin.Matches(token))
        {
            var identity = new ClaimsIdentity(
                [new Claim(UserTokenClaims.Name, "cluster-admin"), new Claim(UserTokenClaims.Roles, Roles.Admin)], SchemeName,
                UserTokenClaims.Name, UserTokenClaims.Roles);
            return Success(identity);
        }

        var (user, why) = await users.ValidateAsync(token);
        return user is null ? AuthenticateResult.Fail(why!) : Success(user);
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.Headers.WWWAuthenticate = result.Failure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        var why = result.Failure?.Message ?? "No bearer token was sent.";
        await ProblemJson.WriteAsync(Context, StatusCodes.Status401Unauthorized, "Unauthorized", $"{why} {Hint}", []);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        ProblemJson.WriteAsync(Context, StatusCodes.Status403Forbidden, "Forbidden",
            Context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => a.Policy == InfrastructurePolicy) == true
                ? "This needs the role Admin or Infrastructure_Provider (nodes and traffic are infrastructure)."
                : "This cluster's API needs the Admin role here: it shows every organization's instances. Other users read their organization's through the root.",
            []);

    private AuthenticateResult Success(ClaimsIdentity identity) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
}
