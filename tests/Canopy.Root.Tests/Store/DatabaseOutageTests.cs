using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Hosting;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;

namespace Canopy.Root.Tests.Store;

/// <summary>
/// PostgreSQL stopped under a running root: the API answers 503 problem+json naming the database and what to do, writes asked
/// meanwhile leave nothing behind, and once the database is back the root answers again by itself.
/// </summary>
public sealed class DatabaseOutageTests : IAsyncLifetime
{
    private const string Application =
        """{"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"NAME","application_namespace":"pg","microservices":[]}]}""";

    private readonly TempDir _dir = new();
    private TestPostgres _postgres = null!;
    private RootHost _root = null!;

    public async Task InitializeAsync()
    {
        _postgres = await TestPostgres.StartNewAsync();
        var store = _postgres.Url(await _postgres.CreateDatabaseAsync());
        _root = await RootHost.StartAsync(_dir.Path, o => o.Store = store);
        await _root.AsAdminAsync();
    }

    public async Task DisposeAsync()
    {
        await _root.DisposeAsync();
        await _postgres.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task The_api_answers_503_naming_the_database_while_it_is_down_and_recovers_by_itself()
    {
        (await _root.PostJsonAsync("/api/application/", Application.Replace("NAME", "before", StringComparison.Ordinal))).EnsureSuccessStatusCode();

        await _postgres.StopAsync();

        var read = await _root.Client.GetAsync("/api/applications/");
        var write = await _root.PostJsonAsync("/api/application/", Application.Replace("NAME", "during", StringComparison.Ordinal));
        foreach (var response in new[] { read, write })
        {
            response.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
            response.Content.Headers.ContentType!.MediaType.ShouldBe(ProblemJson.ContentType);
            response.Headers.RetryAfter.ShouldNotBeNull();
            var problem = await response.Content.ReadAsStringAsync();
            problem.ShouldContain($"database at 127.0.0.1:{_postgres.Port} does not answer");
            problem.ShouldContain("Check that PostgreSQL runs");
            problem.ShouldNotContain(_postgres.Password);
        }

        await _postgres.StartAsync();

        var applications = await Eventually.ValueAsync(
            async () =>
            {
                var response = await _root.Client.GetAsync("/api/applications/");
                return response.IsSuccessStatusCode
                    ? await response.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options)
                    : null;
            },
            list => list is not null, "the root answers again");
        applications!.Select(a => a.ApplicationName).ShouldBe(["before"]);
        (await _root.PostJsonAsync("/api/application/", Application.Replace("NAME", "after", StringComparison.Ordinal))).EnsureSuccessStatusCode();
    }
}
