using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// `canopy up` on a data dir written by the code before schema versions and identity secrets (Data/schema-1: root.db and
/// cluster.db of one run, the node's node.json with only its id, the tokens `up` made): the stores are upgraded, the cluster
/// proves itself with its stored link credential, the node binds its new secret, and both keep their ids and instances.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class UpgradeTests
{
    private const string ClusterId = "6b148b504f3156f8784b51cb";
    private const string NodeId = "4a11e05c69c66ae41616b2d6";

    public UpgradeTests() => Requirements.Check();

    [Fact]
    public async Task A_data_dir_from_before_schema_versions_resumes_with_the_same_cluster_node_and_instances()
    {
        var dataDir = Directory.CreateTempSubdirectory("canopy-e2e-upgrade-").FullName;
        var fixture = Path.Combine(AppContext.BaseDirectory, "Data", "schema-1");
        foreach (var (file, tier) in new[] { ("root.db", "root"), ("cluster.db", "cluster"), ("node.json", "node"), ("join-tokens.json", "") })
        {
            Directory.CreateDirectory(Path.Combine(dataDir, tier));
            File.Copy(Path.Combine(fixture, file), Path.Combine(dataDir, tier, file));
        }

        await using var canopy = new CanopyProcess(dataDir);
        await canopy.StartAsync(withAdminPassword: false, extraArgs: ["--cluster-name", "edge-fixture"]);
        using var api = await LoginAsync(canopy, "fixture-admin-1");

        var cluster = (await api.GetJsonAsync<List<ClusterDocument>>("api/clusters/")).ShouldHaveSingleItem();
        (cluster.Id, cluster.ClusterName).ShouldBe((ClusterId, "edge-fixture"));
        var node = (await api.GetJsonAsync<List<NodeDocument>>("api/v1/nodes")).ShouldHaveSingleItem();
        (node.Id, node.ClusterId, node.Name).ShouldBe((NodeId, ClusterId, "e2e-node"));
        await Wait.ForAsync(() => api.GetJsonAsync<List<ServiceInstanceDocument>>("api/v1/instances"),
            l => l.Count == 3 && l.All(i => i.Status == InstanceStatus.Running), TimeSpan.FromSeconds(30), "the three instances running again");
        using var identity = JsonDocument.Parse(File.ReadAllText(Path.Combine(dataDir, "node", "node.json")));
        identity.RootElement.GetProperty("id").GetString().ShouldBe(NodeId);
        identity.RootElement.GetProperty("secret").GetString().ShouldNotBeNullOrEmpty();
        SqliteSnapshot.Take(Path.Combine(dataDir, "root", "root.db")).UserVersion.ShouldBe(8, "the latest root schema (8: the fleet event stream)");
        SqliteSnapshot.Take(Path.Combine(dataDir, "cluster", "cluster.db")).UserVersion.ShouldBe(3, "the latest cluster schema (3: subnet blocks, instance_ip)");
    }

    private static async Task<HttpClient> LoginAsync(CanopyProcess canopy, string password)
    {
        var http = canopy.Http();
        var login = await http.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", password), CanopyJson.Options);
        login.EnsureSuccessStatusCode();
        var tokens = (await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!;
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Token);
        return http;
    }
}
