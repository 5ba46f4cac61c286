using System.Net.Http.Headers;
using System.Text.Json;
using Canopy.Contracts.Api;
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
    private readonly TempDir _dir = new();

    public StoreUpgradeTests() =>
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "schema-1", "root.db"), RootDb);

    private string RootDb => Path.Combine(_dir.Path, "root.db");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_first_schema_is_upgraded_to_the_latest_and_every_row_of_it_is_kept()
    {
        var before = SqliteSnapshot.Take(RootDb);
        before.UserVersion.ShouldBe(0);

        using (var store = new SqliteRootStore(RootDb))
        {
            store.Initialize().ShouldBe(new SchemaUpgrade(1, RootSchema.Migrations.Latest));
        }

        var after = SqliteSnapshot.Take(RootDb);
        after.UserVersion.ShouldBe(RootSchema.Migrations.Latest);
        before.Tables.Where(t => t.Value.Rows.Count == 0).ShouldBeEmpty("the fixture has rows in every table");
        after.Lost(before).ShouldBeEmpty();
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
    public void A_data_dir_from_a_newer_canopy_is_refused_with_what_to_do_and_left_as_it_was()
    {
        var newer = RootSchema.Migrations.Latest + 1;
        SqliteFile.Execute(RootDb, $"PRAGMA user_version = {newer};");
        var before = SqliteSnapshot.Take(RootDb);

        var refusal = Should.Throw<StoreSchemaException>(() =>
            RootApplication.Create(new RootOptions { DataDir = _dir.Path, AdminPassword = "x-password-1" }));

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
