using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Contracts.Link;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public class SecretTests : RootTestBase
{
    private const string Password = "pw-Zq8VxR4kLm2";
    private const string DbPassword = "db-Hy7TnW3cPs9";
    private const string MicroservicePath = "applications[0].microservices[0]";

    [Fact]
    public async Task Secrets_are_created_listed_and_shown_without_their_values()
    {
        await CreateAsync(new { name = "db", data = new { password = DbPassword, user = "app" } });
        var created = await CreateAsync(new { name = "login", registry = new { host = "Registry.Example.com:5001", username = "bob", password = Password } });

        created.Kind.ShouldBe(SecretKinds.Registry);
        created.RegistryHost.ShouldBe("registry.example.com:5001");
        var listText = await Root.Client.GetStringAsync("/api/v1/secrets");
        var one = await Root.Client.GetStringAsync("/api/v1/secrets/db");
        foreach (var text in (string[])[listText, one])
        {
            text.ShouldNotContain(Password);
            text.ShouldNotContain(DbPassword);
            text.ShouldNotContain("bob");
        }

        var list = await Root.GetAsync<List<SecretDocument>>("/api/v1/secrets");
        list.Select(s => (s.Name, s.Kind)).ShouldBe([("db", SecretKinds.Generic), ("login", SecretKinds.Registry)]);
        list[0].Keys.ShouldBe(["password", "user"]);
        File.GetUnixFileMode(Path.Combine(Dir.Path, "secrets.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Theory]
    [InlineData("""{"name": "bad name", "data": {"k": "v"}}""", "name: ")]
    [InlineData("""{"name": "x"}""", "data or registry: ")]
    [InlineData("""{"name": "x", "data": {"k": "v"}, "registry": {"host": "h", "username": "u", "password": "p"}}""", "data and registry: ")]
    [InlineData("""{"name": "x", "data": {}}""", "data: ")]
    [InlineData("""{"name": "x", "registry": {"host": "https://h/x", "username": "u", "password": "pw-Zq8VxR4kLm2"}}""", "registry.host: ")]
    [InlineData("""{"name": "x", "registry": {"host": "h", "username": "u"}}""", "registry.password: ")]
    public async Task A_bad_secret_is_a_400_naming_the_field_and_never_echoing_a_password(string body, string error)
    {
        var response = await Root.PostJsonAsync("/api/v1/secrets", body);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.Errors().ShouldContain(e => e.StartsWith(error, StringComparison.Ordinal));
        problem.GetRawText().ShouldNotContain(Password);
        (await Root.GetAsync<List<SecretDocument>>("/api/v1/secrets")).ShouldBeEmpty();
    }

    [Fact]
    public async Task A_second_secret_of_the_same_name_is_a_409()
    {
        await CreateAsync(new { name = "db", data = new { password = DbPassword } });

        var again = await Root.Client.PostAsJsonAsync("/api/v1/secrets", new { name = "db", data = new { password = "other" } });

        (await again.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Detail().ShouldContain("canopy secret delete db");
    }

    [Fact]
    public async Task A_deploy_naming_a_missing_or_unfitting_secret_is_a_400_with_the_field_path()
    {
        await CreateAsync(new { name = "login", registry = new { host = "127.0.0.1:5001", username = "bob", password = Password } });
        await CreateAsync(new { name = "two", data = new { a = "1", b = "2" } });

        var missing = await DeployAsync(ms => ms["secrets"] = Json("""[{"name": "nope", "env": "X"}]"""));
        var wrongKind = await DeployAsync(ms => ms["registry_secret"] = "two");
        var otherHost = await DeployAsync(ms =>
        {
            ms["virtualization"] = "container";
            ms["code"] = "127.0.0.1:5000/canopy/busybox:1";
            ms["registry_secret"] = "login";
        });
        var ambiguous = await DeployAsync(ms => ms["secrets"] = Json("""[{"name": "two", "file": "/run/x"}]"""));

        (await missing.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors()
            .ShouldContain(e => e.StartsWith($"{MicroservicePath}.secrets[0].name: secret 'nope' does not exist", StringComparison.Ordinal));
        (await wrongKind.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors().ShouldContain(e => e.StartsWith($"{MicroservicePath}.registry_secret:", StringComparison.Ordinal));
        (await otherHost.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors()
            .ShouldContain(e => e.Contains("login for 127.0.0.1:5001, but code pulls from 127.0.0.1:5000", StringComparison.Ordinal));
        (await ambiguous.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors().ShouldContain(e => e.StartsWith($"{MicroservicePath}.secrets[0].key:", StringComparison.Ordinal));
        (await Root.GetAsync<List<ApplicationDocument>>("/api/applications/")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Another_user_neither_sees_nor_uses_my_secrets()
    {
        await CreateAsync(new { name = "db", data = new { password = DbPassword } });
        (await Root.Client.PostAsJsonAsync("/api/organization/", new { name = "acme" })).EnsureSuccessStatusCode();
        (await Root.Client.PostAsJsonAsync("/api/auth/register",
            new { name = "dave", password = "pw-dave-long-enough", roles = new[] { "Application_Provider" }, organization = "acme" })).EnsureSuccessStatusCode();
        using var dave = Root.Server.CreateClient();
        dave.DefaultRequestHeaders.Authorization = new("Bearer", (await Root.LoginAsync("dave", "pw-dave-long-enough")).Token);

        (await dave.GetFromJsonAsync<List<SecretDocument>>("/api/v1/secrets", CanopyJson.Options))!.ShouldBeEmpty();
        await (await dave.GetAsync("/api/v1/secrets/db")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await dave.DeleteAsync("/api/v1/secrets/db")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var deploy = await dave.PostAsync("/api/application/", new StringContent(
            Descriptors.WithMicroservice(ms =>
            {
                ms["virtualization"] = "container";
                ms["code"] = "127.0.0.1:5000/canopy/busybox:1";
                ms["secrets"] = Json("""[{"name": "db", "env": "DB"}]""");
            }), Encoding.UTF8, "application/json"));
        await deploy.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_deploy_carries_the_values_the_store_keeps_only_sealed_and_a_used_secret_is_not_deleted()
    {
        await using var cluster = await FakeCluster.ConnectAsync(Root, "edge-1");
        await CreateAsync(new { name = "db", data = new { password = DbPassword, user = "app" } });
        await CreateAsync(new { name = "login", registry = new { host = "127.0.0.1:5001", username = "bob", password = Password } });
        var created = await DeployAsync(ms =>
        {
            ms["virtualization"] = "container";
            ms["code"] = "127.0.0.1:5001/canopy/busybox:1";
            ms["registry_secret"] = "login";
            ms["secrets"] = Json("""[{"name": "db", "key": "password", "env": "DB_PASSWORD"}, {"name": "db", "key": "user", "file": "/etc/app/user"}]""");
        });
        created.StatusCode.ShouldBe(HttpStatusCode.OK, await created.Content.ReadAsStringAsync());
        var serviceId = (await created.Content.ReadFromJsonAsync<List<ApplicationDocument>>(CanopyJson.Options))!.Single().Microservices.Single();

        await Workloads.AddInstanceAsync(Root, serviceId);

        var secrets = (await cluster.NextAsync(LinkMessageTypes.Deploy)).Read<DeployInstance>().Service.Secrets!;
        secrets.Registry.ShouldBe(new RegistryCredential("127.0.0.1:5001", "bob", Password));
        secrets.Environment.ShouldBe([new SecretValue("DB_PASSWORD", DbPassword)]);
        secrets.Files.ShouldBe([new SecretValue("/etc/app/user", "app")]);
        secrets.ToString().ShouldNotContain(Password);
        secrets.ToString().ShouldNotContain(DbPassword);

        var service = await Root.Client.GetStringAsync($"/api/service/{serviceId}");
        service.ShouldNotContain(Password);
        service.ShouldNotContain(DbPassword);
        var inUse = await Root.Client.DeleteAsync("/api/v1/secrets/db");
        (await inUse.ShouldBeProblemAsync(HttpStatusCode.Conflict)).Detail().ShouldContain("is used by");

        await Root.DisposeAsync();
        foreach (var file in Directory.EnumerateFiles(Dir.Path, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Password)).ShouldBe(-1, file);
            bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(DbPassword)).ShouldBe(-1, file);
        }

        await RestartAsync();
    }

    private async Task<SecretDocument> CreateAsync(object body)
    {
        var response = await Root.Client.PostAsJsonAsync("/api/v1/secrets", body);
        response.StatusCode.ShouldBe(HttpStatusCode.Created, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<SecretDocument>(CanopyJson.Options))!;
    }

    private Task<HttpResponseMessage> DeployAsync(Action<JsonObject> edit) => Root.PostJsonAsync("/api/application/", Descriptors.WithMicroservice(edit));

    private static JsonNode Json(string text) => JsonNode.Parse(text)!;
}
