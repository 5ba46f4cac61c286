using System.Net.Http.Headers;
using System.Text;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Api;
using Canopy.Testing;

namespace Canopy.Cluster.Tests.Api;

/// <summary>
/// Every route of the cluster's API, called with the access token of each of the root's roles (the organization does not matter here:
/// the cluster keeps nothing per organization and shows its instances to Admins only), with the cluster's admin token and without
/// one. The routes come from the endpoint data source: a route without a line in <see cref="Matrix"/> fails the test.
/// </summary>
public sealed class ClusterRoleMatrixTests(ITestOutputHelper output) : ClusterTest(output)
{
    private const string Anyone = "anyone";
    private const string OwnCredential = "own credential";

    /// <summary>Route → the roles let in (<see cref="Anyone"/>: no token needed; <see cref="OwnCredential"/>: the route checks one of its own).</summary>
    private static readonly Dictionary<string, string[]> Matrix = new()
    {
        ["GET /health"] = [Anyone],
        ["GET /api/cluster/status"] = [Anyone],
        ["POST /api/node/register"] = [OwnCredential],
        ["POST /api/node/leave"] = [OwnCredential],
        ["GET /api/v1/nodes"] = [Roles.Admin, Roles.InfrastructureProvider],
        ["GET /api/v1/traffic"] = [Roles.Admin, Roles.InfrastructureProvider],
        ["GET /api/v1/instances"] = [Roles.Admin],
        ["GET /metrics"] = [OwnCredential],
    };

    [Fact]
    public async Task Every_route_answers_every_role_as_the_matrix_says()
    {
        var routes = ApiRoutes.Of(Cluster.Services).Select(r => r.ToString()).ToList();
        routes.Where(r => !Matrix.ContainsKey(r)).ShouldBeEmpty("routes without a line in the cluster's role matrix");

        var now = DateTimeOffset.UtcNow;
        var callers = new List<(string Name, string? Role, string? Token)> { ("anonymous", null, null), ("cluster admin token", Roles.Admin, Cluster.AdminToken) };
        foreach (var organization in new[] { "root", "acme" })
        {
            callers.AddRange(Roles.All.Where(r => r != Roles.Admin || organization == "root")
                .Select(r => ($"{organization}-{r}", (string?)r, (string?)Root.Users.Issue($"{organization}-{r}", [r], now))));
        }

        var failures = new List<string>();
        var table = new StringBuilder();
        foreach (var route in routes)
        {
            var method = route[..route.IndexOf(' ', StringComparison.Ordinal)];
            var path = route[(method.Length + 1)..];
            var row = new List<string>();
            foreach (var (name, role, token) in callers)
            {
                using var client = Cluster.Anonymous();
                if (token is not null)
                {
                    client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                using var request = new HttpRequestMessage(new HttpMethod(method), path);
                if (method == "POST")
                {
                    request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                }

                using var response = await client.SendAsync(request);
                var status = (int)response.StatusCode;
                row.Add($"{status}");
                var allowed = Matrix[route];
                var ok = allowed[0] switch
                {
                    Anyone => status < 400,
                    OwnCredential => status is not 403 and < 500,
                    _ when role is null => status == 401,
                    _ when allowed.Contains(role) => status < 400,
                    _ => status == 403,
                };
                if (!ok)
                {
                    failures.Add($"{route} as {name}: {status} {await response.Content.ReadAsStringAsync()}");
                }
            }

            table.AppendLine($"{route,-28} {string.Join(' ', row)}");
        }

        Output.WriteLine("callers: " + string.Join(", ", callers.Select(c => c.Name)));
        Output.WriteLine(table.ToString());
        failures.ShouldBeEmpty();
    }
}
