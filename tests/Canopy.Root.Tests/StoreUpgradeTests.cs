using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Registration;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Storage;
using Canopy.Testing;

namespace Canopy.Root.Tests;

/// <summary>
/// A root data dir written before schema versions existed (Data/schema-1/root.db, made by that code) opens, upgrades and keeps
/// everything; one from a newer Canopy is refused; a failed upgrade changes nothing.
/// </summary>
public sealed class StoreUpgradeTests : IDisposable
{
    private const string FixturePassword = "fixture-admin-1";
    private const string FixtureCluster = "6b148b504f3156f8784b51cb";

    /// <summary>The link credential the fixture's cluster kept (its cluster.db, same run) from its last registration.</summary>
    private const string FixtureLinkCredential = "SCfHdVSrXrE3_qmIaYQCpraGqMaj-JnP31Zl5NmuuE0";
    private readonly TempDir _dir = new();

    public StoreUpgradeTests() =>
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "schema-1", "root.db"), RootDb);

    private string RootDb => Path.Combine(_dir.Path, "root.db");

    public void Dispose() => _dir.Dispose();

    private static Task<HttpResponseMessage> RegisterAsync(RootHost root, string secret, string? credential) =>
        root.Client.PostAsJsonAsync("/api/v1/clusters/register",
            new { cluster_name = "edge-fixture", join_token = RootHost.JoinToken, secret, credential });

    [Fact]
    public void The_first_schema_is_upgraded_to_the_latest_and_every_row_of_it_is_kept()
    {
        var before = SqliteSnapshot.Take(RootDb);
        before.UserVersion.ShouldBe(0);

        using (var store = new RootStore(RootDb))
        {
            store.Initialize().ShouldBe(new SchemaUpgrade(1, RootSchema.Migrations.Latest));
        }

        var after = SqliteSnapshot.Take(RootDb);
        after.UserVersion.ShouldBe(RootSchema.Migrations.Latest);
        before.Tables.Where(t => t.Value.Rows.Count == 0).ShouldBeEmpty("the fixture has rows in every table");
        after.Lost(before).ShouldBe(["users"], "schema 4 moves users.roles into memberships of the organization root, nothing else");
        var users = before.Tables["users"];
        after.Tables["users"].RowsOf(users.Columns.Where(c => c != "roles").ToList())
            .ShouldBe(users.RowsOf(users.Columns.Where(c => c != "roles").ToList()));
        after.Tables["memberships"].RowsOf(["organization_id", "user_name", "roles"])
            .ShouldBe(users.RowsOf(["name", "roles"]).Select(r => $"{RootSchema.DefaultOrganizationId} | {r}"), ignoreOrder: true);
        after.Tables["applications"].RowsOf(["organization_id"]).ShouldAllBe(o => o == RootSchema.DefaultOrganizationId);
    }

    [Fact]
    public async Task A_root_on_the_old_data_dir_serves_its_users_applications_services_instances_clusters_and_tokens()
    {
        await using var root = await RootHost.StartAsync(_dir.Path);
        var login = await root.LoginAsync(password: FixturePassword);
        root.Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Token);

        (await root.GetAsync<List<UserDocument>>("/api/users/")).Select(u => u.Name).ShouldBe(["Admin", "alice"], ignoreOrder: true);
        (await root.LoginAsync("alice", "alice-pass-1")).Token.ShouldNotBeNullOrEmpty();
        var application = (await root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldHaveSingleItem();
        application.ApplicationName.ShouldBe("fixture");
        var services = await root.GetAsync<List<ServiceDocument>>($"/api/services/{application.ApplicationId}");
        services.Select(s => s.JobName).ShouldBe(["fixture.v1.sleeper.v1", "fixture.v1.worker.v1"], ignoreOrder: true);
        services.Single(s => s.MicroserviceName == "sleeper").Addresses!.RrIp.ShouldBe("10.30.7.7");
        services.Single(s => s.MicroserviceName == "worker").Instances.ShouldBe(2);
        var sleeper = services.Single(s => s.MicroserviceName == "sleeper").MicroserviceId;
        var detail = await root.GetAsync<JsonElement>($"/api/v1/services/{sleeper}/instances/0");
        detail.GetProperty("events").GetArrayLength().ShouldBeGreaterThan(0);
        (await root.GetAsync<List<JsonElement>>("/api/v1/instances")).Count.ShouldBe(3);
        (await root.GetAsync<List<JsonElement>>("/api/clusters/")).ShouldHaveSingleItem().GetProperty("cluster_name").GetString().ShouldBe("edge-fixture");
        var tokens = await root.GetAsync<List<JoinTokenDocument>>("/api/v1/tokens/clusters");
        tokens.Select(t => (t.Description, t.Revoked)).ShouldBe([("edge fixture", false), ("revoked one", true)], ignoreOrder: true);
    }

    [Fact]
    public async Task A_cluster_registered_before_cluster_secrets_proves_itself_once_with_its_link_credential_and_its_secret_from_then_on()
    {
        await using var root = await RootHost.StartAsync(_dir.Path);
        const string Own = "the-clusters-own-secret-0123456789abcdef";

        var withoutCredential = await RegisterAsync(root, Own, null);
        var first = await RegisterAsync(root, Own, FixtureLinkCredential);
        var other = await RegisterAsync(root, "another-secret-0123456789abcdef0123", FixtureLinkCredential);
        var again = await FakeCluster.RegisterAsync(root, "edge-fixture", joinToken: "not-a-token", secret: Own);

        withoutCredential.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        (await first.Content.ReadFromJsonAsync<ClusterRegisterResponse>(CanopyJson.Options))!.Id.ShouldBe(FixtureCluster);
        other.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        again.Id.ShouldBe(FixtureCluster);
    }

    [Fact]
    public void A_data_dir_from_a_newer_canopy_is_refused_with_what_to_do_and_left_as_it_was()
    {
        var newer = RootSchema.Migrations.Latest + 1;
        SqliteFile.Execute(RootDb, $"PRAGMA user_version = {newer};");
        var before = SqliteSnapshot.Take(RootDb);

        var refusal = Should.Throw<StoreSchemaException>(() =>
            RootApplication.Create(new RootOptions { DataDir = _dir.Path, AdminPassword = "x-password-12" }));

        refusal.Message.ShouldBe(
            $"{RootDb} has schema version {newer}, but this Canopy knows the root store only up to version {RootSchema.Migrations.Latest}: " +
            "a newer Canopy wrote it. Run that version (or a newer one) on this data dir, or start this one with another data dir " +
            "(--data-dir); a store is never downgraded.");
        SqliteSnapshot.Take(RootDb).SameAs(before).ShouldBeTrue();
    }

    [Fact]
    public async Task A_failed_upgrade_leaves_the_old_data_dir_as_it_was_and_usable()
    {
        var before = SqliteSnapshot.Take(RootDb);
        SqliteFile.FailUpgrade(RootDb, RootSchema.Migrations).Message.ShouldContain("still at schema version 1");

        SqliteSnapshot.Take(RootDb).SameAs(before).ShouldBeTrue();
        await using var root = await RootHost.StartAsync(_dir.Path);
        (await root.LoginAsync(password: FixturePassword)).Token.ShouldNotBeNullOrEmpty();
    }
}
