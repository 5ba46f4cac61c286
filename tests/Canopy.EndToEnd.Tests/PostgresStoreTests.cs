using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Testing;
using Npgsql;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// <c>canopy root --store postgres://...</c> as a user runs it: two roots on one database serve the same state, and a database
/// it cannot use stops the start with one clear paragraph and a non-zero exit code, before anything listens.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class PostgresStoreTests : IAsyncLifetime
{
    private const int StartFailed = 8;
    private TestPostgres _postgres = null!;

    public async Task InitializeAsync() => _postgres = await TestPostgres.StartNewAsync();

    public async Task DisposeAsync() => await _postgres.DisposeAsync();

    [Fact]
    public async Task Two_roots_on_one_database_serve_the_same_applications()
    {
        var store = _postgres.Url(await _postgres.CreateDatabaseAsync());
        await using var first = new RootProcess { Store = store };
        await first.StartAsync();
        using var firstApi = await first.ApiAsync();
        var created = await firstApi.PostAsync("api/application/", new StringContent(
            """{"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"shared","application_namespace":"pg","microservices":[]}]}""",
            System.Text.Encoding.UTF8, "application/json"));
        created.EnsureSuccessStatusCode();

        // Another data dir (its own TLS material), the same database: the Admin, its password and the application are there.
        await using var second = new RootProcess { Store = store };
        await second.StartAsync();
        using var secondApi = await second.ApiAsync();
        var applications = await secondApi.GetFromJsonAsync<List<ApplicationDocument>>("api/applications/", CanopyJson.Options);
        applications!.ShouldHaveSingleItem().ApplicationName.ShouldBe("shared");
        second.Output.ShouldNotContain(_postgres.Password);
    }

    [Fact]
    public async Task A_database_of_a_newer_schema_is_refused_naming_both_versions()
    {
        var database = await _postgres.CreateDatabaseAsync();
        await using (var root = new RootProcess { Store = _postgres.Url(database) })
        {
            await root.StartAsync();
        }

        await using (var connection = new NpgsqlConnection(_postgres.ConnectionString(database)))
        {
            await connection.OpenAsync();
            await using var newer = new NpgsqlCommand("UPDATE canopy_schema SET version = 999", connection);
            await newer.ExecuteNonQueryAsync();
        }

        var result = await StartRootAsync(_postgres.Url(database));

        Refused(result, "schema version 999", "a newer Canopy wrote it");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_naming_the_user()
    {
        var database = await _postgres.CreateDatabaseAsync();
        var wrong = $"postgres://{TestPostgres.User}:not-the-password@127.0.0.1:{_postgres.Port}/{database}";

        var result = await StartRootAsync(wrong);

        Refused(result, $"refused the login of user '{TestPostgres.User}'", "check the user and password");
        result.StdErr.ShouldNotContain("not-the-password");
    }

    [Fact]
    public async Task An_unreachable_database_is_refused_naming_where()
    {
        var port = FreePort.Next();

        var result = await StartRootAsync($"postgres://canopy:secret@127.0.0.1:{port}/canopy");

        Refused(result, $"at 127.0.0.1:{port} does not answer", "Check that PostgreSQL runs");
        result.StdErr.ShouldNotContain("secret");
    }

    [Fact]
    public async Task A_store_that_is_not_a_url_is_refused_with_the_accepted_forms()
    {
        var result = await StartRootAsync("mysql://somewhere/db");

        result.ExitCode.ShouldNotBe(0, result.ToString());
        result.StdErr.ShouldContain("postgres://user:password@host:port/database");
        result.StdErr.ShouldNotContain("   at ");
    }

    private static void Refused(CliResult result, params string[] mentions)
    {
        result.ExitCode.ShouldBe(StartFailed, result.ToString());
        result.StdErr.ShouldContain("The root did not start");
        foreach (var mention in mentions)
        {
            result.StdErr.ShouldContain(mention);
        }

        result.StdErr.ShouldNotContain("   at ");
        result.StdOut.ShouldNotContain("Root API at");
    }

    private static async Task<CliResult> StartRootAsync(string store)
    {
        var dir = Directory.CreateTempSubdirectory("canopy-e2e-store-").FullName;
        try
        {
            return await CanopyCli.RunAsync(Path.Combine(dir, "cli.json"), "https://127.0.0.1:1",
                ["root", "--data-dir", dir, "--listen", $"https://127.0.0.1:{FreePort.Next()}", "--admin-password", "start-error-test", "--store", store],
                TimeSpan.FromSeconds(90));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
