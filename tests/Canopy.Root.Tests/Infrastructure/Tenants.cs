using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Root.Tests.Infrastructure;

/// <summary>
/// Two organizations on a test root: <c>root</c> (the Admin's) and <c>acme</c>, each with a user per role (<c>root-oa</c>,
/// <c>acme-ap</c>, ...), an application with one service and one instance, and helpers to make more as a member of either.
/// </summary>
internal sealed class Tenants
{
    public const string Password = "tenant-password-1";
    public const string Acme = "acme";
    public static readonly string[] Organizations = ["root", Acme];

    /// <summary>Role of each user kind, by the suffix of its name.</summary>
    public static readonly IReadOnlyDictionary<string, string> RoleOf = new Dictionary<string, string>
    {
        ["oa"] = Roles.OrganizationAdmin,
        ["ap"] = Roles.ApplicationProvider,
        ["ip"] = Roles.InfrastructureProvider,
    };

    private readonly RootHost _root;
    private readonly Dictionary<string, HttpClient> _clients = [];
    private int _counter;

    private Tenants(RootHost root) => _root = root;

    public Dictionary<string, string> OrganizationIds { get; } = [];
    public Dictionary<string, string> ApplicationIds { get; } = [];
    public Dictionary<string, string> ServiceIds { get; } = [];

    /// <summary>Root's Admin client (the test host's default client, logged in).</summary>
    public HttpClient Admin => _root.Client;

    public static async Task<Tenants> CreateAsync(RootHost root)
    {
        var tenants = new Tenants(root);
        var created = await PostAsync<OrganizationDocument>(root.Client, "/api/organization/", new { name = Acme });
        tenants.OrganizationIds[Acme] = created.Id.Oid;
        tenants.OrganizationIds["root"] = (await root.Client.GetFromJsonAsync<List<OrganizationDocument>>("/api/organization/", CanopyJson.Options))!
            .Single(o => o.Name == "root").Id.Oid;
        foreach (var organization in Organizations)
        {
            foreach (var (kind, role) in RoleOf)
            {
                await tenants.AddUserAsync($"{organization}-{kind}", organization, role);
            }

            await tenants.AddUserAsync($"{organization}-member", organization, Roles.ApplicationProvider);
            var ap = await tenants.ClientAsync($"{organization}-ap");
            tenants.ApplicationIds[organization] = await tenants.NewApplicationAsync(organization);
            tenants.ServiceIds[organization] = await tenants.NewServiceAsync(organization);
            (await ap.PostAsync($"/api/service/{tenants.ServiceIds[organization]}/instance", null)).EnsureSuccessStatusCode();
        }

        return tenants;
    }

    public async Task AddUserAsync(string name, string organization, string role) =>
        (await Admin.PostAsJsonAsync("/api/auth/register", new { name, password = Password, roles = new[] { role }, organization })).EnsureSuccessStatusCode();

    /// <summary>A logged-in client of a tenant user (or "Admin").</summary>
    public async Task<HttpClient> ClientAsync(string user)
    {
        if (user == "Admin")
        {
            return Admin;
        }

        if (!_clients.TryGetValue(user, out var client))
        {
            client = _root.Server.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await _root.LoginAsync(user, Password)).Token);
            _clients[user] = client;
        }

        return client;
    }

    /// <summary>A new application of <paramref name="organization"/>, created by its Application_Provider.</summary>
    public async Task<string> NewApplicationAsync(string organization)
    {
        var name = $"app{Interlocked.Increment(ref _counter)}";
        var answer = await PostAsync<List<ApplicationDocument>>(await ClientAsync($"{organization}-ap"), "/api/application/", ContainerDescriptor(name, null));
        return answer.Single(a => a.ApplicationName == name).ApplicationId;
    }

    /// <summary>A new service in the organization's application.</summary>
    public async Task<string> NewServiceAsync(string organization)
    {
        var body = ContainerDescriptor("ignored", ApplicationIds[organization], $"svc{Interlocked.Increment(ref _counter)}");
        var answer = await PostAsync<JsonElement>(await ClientAsync($"{organization}-ap"), "/api/service/", body);
        return answer.GetProperty("job_id").GetString()!;
    }

    public async Task<int> NewInstanceAsync(string organization)
    {
        var answer = await PostAsync<JsonElement>(await ClientAsync($"{organization}-ap"), $"/api/service/{ServiceIds[organization]}/instance", null);
        return answer.GetProperty("instance_number").GetInt32();
    }

    public async Task<string> NewUserAsync(string organization)
    {
        var name = $"{organization}-extra{Interlocked.Increment(ref _counter)}";
        await AddUserAsync(name, organization, Roles.ApplicationProvider);
        return name;
    }

    public async Task<string> NewOrganizationAsync() =>
        (await PostAsync<OrganizationDocument>(Admin, "/api/organization/", new { name = $"org{Interlocked.Increment(ref _counter)}" })).Id.Oid;

    public async Task<string> NewClusterTokenAsync() =>
        (await PostAsync<CreatedJoinTokenDocument>(Admin, "/api/v1/tokens/clusters", new { })).Id;

    /// <summary>A container service (exec is for the root organization only by default).</summary>
    public static object ContainerDescriptor(string application, string? applicationId, string service = "web")
    {
        var root = JsonNode.Parse(Descriptors.ExecHttpd)!.AsObject();
        var app = root["applications"]![0]!.AsObject();
        app["application_name"] = application;
        if (applicationId is not null)
        {
            app["applicationID"] = applicationId;
        }

        var microservice = app["microservices"]![0]!.AsObject();
        microservice["microservice_name"] = service;
        microservice["virtualization"] = "container";
        microservice["code"] = "127.0.0.1:5000/canopy/busybox:1";
        microservice.Remove("addresses");
        return root;
    }

    private static async Task<T> PostAsync<T>(HttpClient client, string path, object? body)
    {
        using var content = body is null ? null : new StringContent(JsonSerializer.Serialize(body, CanopyJson.Options), Encoding.UTF8, "application/json");
        var response = await client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.ShouldBeTrue($"POST {path}: {(int)response.StatusCode} {text}");
        return JsonSerializer.Deserialize<T>(text, CanopyJson.Options)!;
    }
}
