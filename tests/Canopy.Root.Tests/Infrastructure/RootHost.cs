using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Tests.Infrastructure;

/// <summary>A started root on the in-memory test server, over a data dir that outlives it when the test restarts the root.</summary>
internal sealed class RootHost : IAsyncDisposable
{
    public const string AdminPassword = "admin-secret-1";
    public const string JoinToken = "join-me";

    private RootHost(WebApplication app, RootOptions options)
    {
        App = app;
        Options = options;
        Server = app.GetTestServer();
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }
    public RootOptions Options { get; }
    public TestServer Server { get; }
    public HttpClient Client { get; }

    /// <param name="services">Runs after the root's own registrations (replace one, as replicas replace the leadership).</param>
    public static async Task<RootHost> StartAsync(string dataDir, Action<RootOptions>? tweak = null, Action<IServiceCollection>? services = null)
    {
        var options = new RootOptions { DataDir = dataDir, AdminPassword = AdminPassword, ClusterJoinToken = JoinToken };
        tweak?.Invoke(options);
        var app = RootApplication.Create(options, b =>
        {
            b.WebHost.UseTestServer();
            b.Logging.SetMinimumLevel(LogLevel.Warning);
            services?.Invoke(b.Services);
        });
        await app.StartAsync();
        return new RootHost(app, options);
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public async Task<LoginResponse> LoginAsync(string user = "Admin", string password = AdminPassword)
    {
        var response = await Client.PostAsJsonAsync("/api/auth/login", new { username = user, password });
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!;
    }

    /// <summary>Logs in and makes every later request of <see cref="Client"/> carry the access token.</summary>
    public async Task<RootHost> AsAdminAsync()
    {
        var login = await LoginAsync();
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Token);
        return this;
    }

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json) =>
        Client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PutJsonAsync(string path, string json) =>
        Client.PutAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<T> GetAsync<T>(string path)
    {
        var response = await Client.GetAsync(path);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<T>(CanopyJson.Options))!;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
