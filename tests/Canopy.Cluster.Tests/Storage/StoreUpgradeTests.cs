using System.Net;
using System.Net.Http.Json;
using Canopy.Cluster.Storage;
using Canopy.Cluster.Tests.Support;
using Canopy.Contracts;
using Canopy.Contracts.Registration;
using Canopy.Storage;
using Canopy.Testing;

namespace Canopy.Cluster.Tests.Storage;

/// <summary>
/// A cluster data dir written before schema versions existed (Data/schema-1/cluster.db, made by that code) opens, upgrades and keeps
/// everything; one from a newer Canopy is refused; a failed upgrade changes nothing.
/// </summary>
public sealed class StoreUpgradeTests(ITestOutputHelper output) : IDisposable
{
    private const string FixtureNode = "4a11e05c69c66ae41616b2d6";
    private readonly string _dir = CopyFixture();

    private string ClusterDb => Path.Combine(_dir, "cluster.db");

    public void Dispose()
    {
        // A TestCluster on this data dir deletes it itself.
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public async Task The_first_schema_is_upgraded_to_the_latest_and_every_row_of_it_is_kept()
    {
        var before = SqliteSnapshot.Take(ClusterDb);
        before.UserVersion.ShouldBe(0);

        using (var store = ClusterStore.Open(_dir, TimeProvider.System))
        {
            var node = (await store.ListNodesAsync(CancellationToken.None)).ShouldHaveSingleItem();
            (node.Id, node.Host, node.Subnet).ShouldBe((FixtureNode, "node-fixture", "10.18.0.0/26"));
            (await store.ListInstancesOnNodeAsync(FixtureNode, CancellationToken.None)).Count.ShouldBe(3);
            (await store.GetSettingAsync(SettingKeys.ClusterId, CancellationToken.None)).ShouldBe("6b148b504f3156f8784b51cb");
            (await store.ListNodeTokensAsync(CancellationToken.None)).ShouldHaveSingleItem().Description.ShouldBe("workers");
        }

        var after = SqliteSnapshot.Take(ClusterDb);
        after.UserVersion.ShouldBe(ClusterSchema.Migrations.Latest);
        before.Tables.Where(t => t.Value.Rows.Count == 0).ShouldBeEmpty("the fixture has rows in every table");
        after.Lost(before).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_cluster_on_the_old_data_dir_knows_its_node_and_instances()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.DataDir = _dir);

        var node = (await cluster.NodesAsync()).ShouldHaveSingleItem();
        (node.Id, node.Name, node.Instances).ShouldBe((FixtureNode, "node-fixture", 3));
        node.Subnet.ShouldBe("10.18.0.0/26");
        (await cluster.InstancesAsync()).Count.ShouldBe(3);
    }

    [Fact]
    public async Task A_node_registered_before_node_secrets_is_bound_to_the_secret_of_its_first_registration_after_the_upgrade()
    {
        await using var root = await FakeRoot.StartAsync();
        await using var cluster = await TestCluster.StartAsync(output, root, o => o.DataDir = _dir);
        const string Own = "the-nodes-own-secret-0123456789abcdef";

        var first = await RegisterAsync(cluster, FakeNode.Describe("node-fixture", new FakeNodeOptions(), id: FixtureNode, secret: Own));
        var other = await RegisterAsync(cluster, FakeNode.Describe("evil", new FakeNodeOptions(), id: FixtureNode, secret: "another-secret-0123456789abcdef0123"));
        var restart = await RegisterAsync(cluster, FakeNode.Describe("node-fixture", new FakeNodeOptions(), token: "expired", id: FixtureNode, secret: Own));

        first.StatusCode.ShouldBe(HttpStatusCode.OK, await first.Content.ReadAsStringAsync());
        var bound = (await first.Content.ReadFromJsonAsync<NodeRegisterResponse>(CanopyJson.Options))!;
        (bound.Id, bound.Subnet).ShouldBe((FixtureNode, "10.18.0.0/26"));
        other.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        restart.StatusCode.ShouldBe(HttpStatusCode.OK, await restart.Content.ReadAsStringAsync());
    }

    [Fact]
    public void A_data_dir_from_a_newer_canopy_is_refused_with_what_to_do_and_left_as_it_was()
    {
        var newer = ClusterSchema.Migrations.Latest + 1;
        SqliteFile.Execute(ClusterDb, $"PRAGMA user_version = {newer};");
        var before = SqliteSnapshot.Take(ClusterDb);

        var refusal = Should.Throw<StoreSchemaException>(() => ClusterApplication.Create(new ClusterOptions { DataDir = _dir, RootUrl = "http://127.0.0.1:1" }));

        refusal.Message.ShouldBe(
            $"{ClusterDb} has schema version {newer}, but this Canopy knows the cluster store only up to version {ClusterSchema.Migrations.Latest}: " +
            "a newer Canopy wrote it. Run that version (or a newer one) on this data dir, or start this one with another data dir " +
            "(--data-dir); a store is never downgraded.");
        SqliteSnapshot.Take(ClusterDb).SameAs(before).ShouldBeTrue();
    }

    [Fact]
    public async Task A_failed_upgrade_leaves_the_old_data_dir_as_it_was_and_usable()
    {
        var before = SqliteSnapshot.Take(ClusterDb);
        SqliteFile.FailUpgrade(ClusterDb, ClusterSchema.Migrations).Message.ShouldContain("still at schema version 1");

        SqliteSnapshot.Take(ClusterDb).SameAs(before).ShouldBeTrue();
        using var real = ClusterStore.Open(_dir, TimeProvider.System);
        (await real.GetNodeAsync(FixtureNode, CancellationToken.None)).ShouldNotBeNull();
    }

    private static Task<HttpResponseMessage> RegisterAsync(TestCluster cluster, NodeRegisterRequest request) =>
        cluster.Http.PostAsJsonAsync("/api/node/register", request, CanopyJson.Options);

    private static string CopyFixture()
    {
        var dir = Directory.CreateTempSubdirectory("canopy-cluster-upgrade-").FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Data", "schema-1", "cluster.db"), Path.Combine(dir, "cluster.db"));
        return dir;
    }

}
