using System.Text;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.Root.Tests.Tenancy;

/// <summary>
/// Every route of the root, called as every role of two organizations and anonymously, against the caller's own organization's
/// records and the other one's. The routes come from the endpoint data source: a route added without a line in <see cref="Matrix"/>
/// fails the test. Refusals: no token 401; a missing role for the kind of route 403; another organization's record 404 (no leak).
/// </summary>
public sealed class RouteMatrixTests(ITestOutputHelper output) : RootTestBase
{
    /// <summary>Who may call a kind of route, and whether another organization's record is hidden (404) from them.</summary>
    private enum Kind
    {
        /// <summary>Anyone, no token needed (health, Oakestra's open cluster lists).</summary>
        Open,

        /// <summary>No token needed: the route checks a credential of its own in the request (login, refresh, cluster registration).</summary>
        OwnCredential,

        /// <summary>Any logged-in user, about themselves.</summary>
        Self,

        /// <summary>Any logged-in user; another user's record only for an Admin or an Organization_Admin of that user's organization (else 404).</summary>
        UserRecord,

        /// <summary>Admin, Organization_Admin, Application_Provider; records of their organization only.</summary>
        Workloads,

        /// <summary>Admin and Organization_Admin; their organization only.</summary>
        Members,

        /// <summary>Admin and Infrastructure_Provider: clusters, nodes, join tokens.</summary>
        Infrastructure,

        /// <summary>Admin only.</summary>
        Admin,

        /// <summary>Every role; each caller sees their part (the event stream: EventTenancyTests).</summary>
        AnyRole,
    }

    /// <summary>A caller's view of one call: who, which organization's records the path names.</summary>
    private sealed record Call(string User, string? Organization, string Target, Tenants Tenants, bool Allowed);

    /// <param name="Targeted">The path names a record of an organization (each caller calls it for their own and the other one's).</param>
    private sealed record Rule(Kind Kind, Func<Call, Task<string>> Path, string? Body = "{}", bool Targeted = true);

    private static Rule R(Kind kind, string path, string? body = "{}") => new(kind, _ => Task.FromResult(path), body, Targeted: false);

    private static Rule R(Kind kind, Func<Call, string> path, string? body = "{}") => new(kind, c => Task.FromResult(path(c)), body);

    private static readonly Dictionary<string, Rule> Matrix = new()
    {
        ["GET /health"] = R(Kind.Open, "/health"),
        ["GET /health/ready"] = R(Kind.Open, "/health/ready"),
        ["GET /api/clusters/"] = R(Kind.Open, "/api/clusters/"),
        ["GET /api/clusters/active"] = R(Kind.Open, "/api/clusters/active"),
        ["POST /api/auth/login"] = R(Kind.OwnCredential, "/api/auth/login"),
        ["POST /api/auth/refresh"] = R(Kind.OwnCredential, "/api/auth/refresh"),
        ["POST /api/auth/logout"] = R(Kind.OwnCredential, "/api/auth/logout"),
        ["POST /api/v1/clusters/register"] = R(Kind.OwnCredential, "/api/v1/clusters/register"),
        ["GET /api/v1/clusters/{id}/link"] = R(Kind.OwnCredential, "/api/v1/clusters/x/link"),

        ["POST /api/user/{name}"] = R(Kind.Self, c => $"/api/user/{c.User}"),
        ["GET /api/user/{name}"] = R(Kind.UserRecord, c => $"/api/user/{c.Target}-member"),
        ["GET /api/permission/{name}"] = R(Kind.UserRecord, c => $"/api/permission/{c.Target}-member"),

        ["POST /api/auth/register"] = R(Kind.Members, "/api/auth/register"),
        ["GET /api/users/"] = R(Kind.Members, "/api/users/"),
        ["GET /api/users/{organizationId}"] = R(Kind.Members, c => $"/api/users/{c.Tenants.OrganizationIds[c.Target]}"),
        ["PUT /api/user/{name}"] = R(Kind.Members, c => $"/api/user/{c.Target}-member"),
        ["DELETE /api/user/{name}"] = new(Kind.Members, async c => $"/api/user/{(c.Allowed ? await c.Tenants.NewUserAsync(c.Target) : c.Target + "-member")}"),
        ["GET /api/organization/"] = R(Kind.Members, "/api/organization/"),
        ["GET /api/organization/{id}"] = R(Kind.Members, c => $"/api/organization/{c.Tenants.OrganizationIds[c.Target]}"),
        ["PUT /api/organization/{id}/members/{user}"] = R(Kind.Members,
            c => $"/api/organization/{c.Tenants.OrganizationIds[c.Target]}/members/{c.Target}-member", """{"roles":["Application_Provider"]}"""),
        ["DELETE /api/organization/{id}/members/{user}"] = new(Kind.Members, async c =>
            $"/api/organization/{c.Tenants.OrganizationIds[c.Target]}/members/{(c.Allowed ? await c.Tenants.NewUserAsync(c.Target) : c.Target + "-member")}"),

        ["POST /api/organization/"] = R(Kind.Admin, "/api/organization/"),
        ["PUT /api/organization/{id}"] = R(Kind.Admin, c => $"/api/organization/{c.Tenants.OrganizationIds[Tenants.Acme]}"),
        ["DELETE /api/organization/{id}"] = new(Kind.Admin, async c =>
            $"/api/organization/{(c.Allowed ? await c.Tenants.NewOrganizationAsync() : c.Tenants.OrganizationIds[Tenants.Acme])}"),

        ["POST /api/application/"] = R(Kind.Workloads, "/api/application/"),
        ["POST /api/v1/secrets/"] = R(Kind.Workloads, "/api/v1/secrets/"),
        ["GET /api/v1/secrets/"] = R(Kind.Workloads, "/api/v1/secrets/"),
        ["GET /api/v1/secrets/{name}"] = R(Kind.Workloads, "/api/v1/secrets/matrix"),
        ["DELETE /api/v1/secrets/{name}"] = R(Kind.Workloads, "/api/v1/secrets/matrix"),
        ["GET /api/applications/"] = R(Kind.Workloads, "/api/applications/"),
        ["GET /api/applications/{userId}"] = R(Kind.Workloads, c => $"/api/applications/{UserId(c.Target + "-ap")}"),
        ["GET /api/application/{id}"] = R(Kind.Workloads, c => $"/api/application/{c.Tenants.ApplicationIds[c.Target]}"),
        ["PUT /api/application/{id}"] = R(Kind.Workloads, c => $"/api/application/{c.Tenants.ApplicationIds[c.Target]}"),
        ["DELETE /api/application/{id}"] = new(Kind.Workloads, async c =>
            $"/api/application/{(c.Allowed ? await c.Tenants.NewApplicationAsync(c.Target) : c.Tenants.ApplicationIds[c.Target])}"),
        ["POST /api/service/"] = R(Kind.Workloads, "/api/service/"),
        ["GET /api/services/"] = R(Kind.Workloads, "/api/services/"),
        ["GET /api/services/{appId}"] = R(Kind.Workloads, c => $"/api/services/{c.Tenants.ApplicationIds[c.Target]}"),
        ["GET /api/service/{id}"] = R(Kind.Workloads, c => $"/api/service/{c.Tenants.ServiceIds[c.Target]}"),
        ["PUT /api/service/{id}"] = R(Kind.Workloads, c => $"/api/service/{c.Tenants.ServiceIds[c.Target]}"),
        ["DELETE /api/service/{id}"] = new(Kind.Workloads, async c =>
            $"/api/service/{(c.Allowed ? await c.Tenants.NewServiceAsync(c.Target) : c.Tenants.ServiceIds[c.Target])}"),
        ["POST /api/service/{id}/instance"] = R(Kind.Workloads, c => $"/api/service/{c.Tenants.ServiceIds[c.Target]}/instance"),
        ["DELETE /api/service/{id}/instance/{number}"] = new(Kind.Workloads, async c =>
            $"/api/service/{c.Tenants.ServiceIds[c.Target]}/instance/{(c.Allowed ? await c.Tenants.NewInstanceAsync(c.Target) : 0)}"),
        ["GET /api/v1/instances"] = R(Kind.Workloads, "/api/v1/instances"),
        ["GET /api/v1/events"] = R(Kind.AnyRole, "/api/v1/events"),
        ["GET /api/v1/services/{id}/instances"] = R(Kind.Workloads, c => $"/api/v1/services/{c.Tenants.ServiceIds[c.Target]}/instances"),
        ["GET /api/v1/services/{id}/instances/{number:int}"] = R(Kind.Workloads, c => $"/api/v1/services/{c.Tenants.ServiceIds[c.Target]}/instances/0"),
        ["PUT /api/v1/services/{id}/scale"] = R(Kind.Workloads, c => $"/api/v1/services/{c.Tenants.ServiceIds[c.Target]}/scale", """{"instances":1}"""),
        ["GET /api/v1/services/{id}/logs"] = R(Kind.Workloads, c => $"/api/v1/services/{c.Tenants.ServiceIds[c.Target]}/logs"),

        ["GET /api/v1/clusters/{id}"] = R(Kind.Infrastructure, "/api/v1/clusters/x"),
        ["GET /api/v1/nodes"] = R(Kind.Infrastructure, "/api/v1/nodes"),
        ["POST /api/v1/tokens/clusters"] = R(Kind.Infrastructure, "/api/v1/tokens/clusters"),
        ["GET /api/v1/tokens/clusters"] = R(Kind.Infrastructure, "/api/v1/tokens/clusters"),
        ["DELETE /api/v1/tokens/clusters/{id}"] = new(Kind.Infrastructure, async c =>
            $"/api/v1/tokens/clusters/{(c.Allowed ? await c.Tenants.NewClusterTokenAsync() : "x")}"),
        ["POST /api/v1/clusters/{cluster}/tokens/nodes"] = R(Kind.Infrastructure, "/api/v1/clusters/x/tokens/nodes"),
        ["GET /api/v1/clusters/{cluster}/tokens/nodes"] = R(Kind.Infrastructure, "/api/v1/clusters/x/tokens/nodes"),
        ["DELETE /api/v1/clusters/{cluster}/tokens/nodes/{id}"] = R(Kind.Infrastructure, "/api/v1/clusters/x/tokens/nodes/x"),
    };

    /// <summary>Admin (root only: it sees every organization), then each other role in each organization, then no token.</summary>
    private static readonly (string? User, string? Organization)[] Callers =
    [
        ("Admin", "root"),
        .. Tenants.Organizations.SelectMany(o => Tenants.RoleOf.Keys.Select(k => ((string?)$"{o}-{k}", (string?)o))),
        (null, null),
    ];

    [Fact]
    public async Task Every_route_answers_every_role_of_two_organizations_as_the_matrix_says()
    {
        var routes = Routes(Root.App.Services);
        routes.Where(r => !Matrix.ContainsKey(r)).ShouldBeEmpty("routes without a line in the role matrix: add them to RouteMatrixTests.Matrix");
        Matrix.Keys.Where(k => !routes.Contains(k)).ShouldBeEmpty("matrix lines for routes that no longer exist");

        var tenants = await Tenants.CreateAsync(Root);
        using var anonymous = Root.Server.CreateClient();
        var failures = new List<string>();
        var table = new StringBuilder();
        foreach (var route in routes)
        {
            var rule = Matrix[route];
            var method = route[..route.IndexOf(' ', StringComparison.Ordinal)];
            var row = new List<string>();
            foreach (var (user, organization) in Callers)
            {
                var client = user is null ? anonymous : await tenants.ClientAsync(user);
                foreach (var target in HasTarget(rule) ? Tenants.Organizations : [organization ?? "root"])
                {
                    var expected = Expected(rule.Kind, user, organization, target);
                    var call = new Call(user ?? "anonymous", organization, target, tenants, expected == Outcome.Allowed);
                    var path = await rule.Path(call);
                    using var request = new HttpRequestMessage(new HttpMethod(method), path);
                    if (method is "POST" or "PUT" && rule.Body is not null)
                    {
                        request.Content = new StringContent(rule.Body, Encoding.UTF8, "application/json");
                    }

                    using var response = await client.SendAsync(request);
                    var status = (int)response.StatusCode;
                    var body = await response.Content.ReadAsStringAsync();
                    row.Add($"{status}");
                    if (!Matches(expected, HasTarget(rule), status))
                    {
                        failures.Add($"{route} as {call.User} ({organization}) on {target}'s: expected {expected}, got {status} {body}");
                    }
                    else if (expected == Outcome.Allowed && user != "Admin" && organization is not null)
                    {
                        var other = Tenants.Organizations.Single(o => o != organization);
                        foreach (var leaked in new[] { tenants.ApplicationIds[other], tenants.ServiceIds[other] }.Where(body.Contains))
                        {
                            failures.Add($"{route} as {call.User} ({organization}) shows {other}'s record {leaked}: {body}");
                        }
                    }
                }
            }

            table.AppendLine($"{route,-55} {string.Join(' ', row)}");
        }

        output.WriteLine("callers: " + string.Join(", ", Callers.Select(c => c.User ?? "anonymous")) + " (two columns each where the path names a record: own, other organization)");
        output.WriteLine(table.ToString());
        failures.ShouldBeEmpty();
    }

    private enum Outcome
    {
        Allowed,
        Unauthorized,
        Forbidden,
        Hidden,
        Any,
    }

    private static bool HasTarget(Rule rule) => rule.Targeted && rule.Kind is Kind.UserRecord or Kind.Workloads or Kind.Members;

    private static Outcome Expected(Kind kind, string? user, string? organization, string target)
    {
        if (kind is Kind.Open)
        {
            return Outcome.Allowed;
        }

        if (kind is Kind.OwnCredential)
        {
            return Outcome.Any;
        }

        if (user is null)
        {
            return Outcome.Unauthorized;
        }

        var role = user == "Admin" ? "admin" : user[(user.LastIndexOf('-') + 1)..];
        var own = organization == target;
        return kind switch
        {
            Kind.Self or Kind.AnyRole => Outcome.Allowed,
            Kind.UserRecord => role == "admin" || (role == "oa" && own) ? Outcome.Allowed : Outcome.Hidden,
            Kind.Workloads => role == "ip" ? Outcome.Forbidden : role == "admin" || own ? Outcome.Allowed : Outcome.Hidden,
            Kind.Members => role is "ap" or "ip" ? Outcome.Forbidden : role == "admin" || own ? Outcome.Allowed : Outcome.Hidden,
            Kind.Infrastructure => role is "admin" or "ip" ? Outcome.Allowed : Outcome.Forbidden,
            Kind.Admin => role == "admin" ? Outcome.Allowed : Outcome.Forbidden,
            _ => throw new InvalidOperationException(kind.ToString()),
        };
    }

    /// <summary>
    /// Allowed means the route did its work or judged the (placeholder) request: not refused for who the caller is. A 404 is such a
    /// judgement only where the path names no record of an organization (a cluster "x").
    /// </summary>
    private static bool Matches(Outcome expected, bool tenancy, int status) => expected switch
    {
        Outcome.Allowed => status is not (401 or 403) and < 500 && !(tenancy && status == 404),
        Outcome.Unauthorized => status == 401,
        Outcome.Forbidden => status == 403,
        Outcome.Hidden => status == 404,
        _ => status is not 403 and < 500,
    };

    private static string UserId(string name) => Convert.ToHexStringLower(
        System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"user:{name}")).AsSpan(0, 12));

    private static List<string> Routes(IServiceProvider services) => ApiRoutes.Of(services).Select(r => r.ToString()).ToList();
}
