using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Serialization;
using Canopy.Testing;
using Canopy.Testing.Oakestra;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// `canopy up --insecure-http` for Oakestra's own clients, which speak only plain HTTP: it warns, and the calls the <c>oak</c> CLI
/// makes work end to end, decoded as the CLI decodes them. (That a network address is refused without
/// --insecure-http-on-network is RootTlsTests' part.)
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class InsecureHttpTests
{
    public InsecureHttpTests() => Requirements.Check();

    [Fact]
    public async Task Up_with_insecure_http_warns_and_serves_the_oak_CLIs_calls_over_plain_HTTP()
    {
        await using var canopy = new CanopyProcess(insecureHttp: true);
        await canopy.StartAsync();
        await canopy.WaitForOutputAsync("Press Ctrl-C to stop");
        (canopy.StdOut + canopy.StdErr).ShouldContain($"The root API at {canopy.RootUrl} is plain HTTP (--insecure-http)");
        canopy.RootUrl.ShouldStartWith("http://127.0.0.1:");

        // No certificate anywhere: a client that knows nothing of Canopy's CA, logged in as the oak CLI logs in.
        using var http = new HttpClient { BaseAddress = new Uri(canopy.RootUrl), Timeout = TimeSpan.FromSeconds(30) };
        (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var login = await http.PostAsJsonAsync("/api/auth/login", new { username = "Admin", password = CanopyProcess.AdminPassword });
        login.StatusCode.ShouldBe(HttpStatusCode.OK, await login.Content.ReadAsStringAsync());
        http.DefaultRequestHeaders.Authorization = new("Bearer", OakJson.Decode<OakLogin>(await login.Content.ReadAsStringAsync()).Token);
        var oak = new OakClient(http);

        // The exec example on a free port (18080 may be taken by another test on this machine).
        var port = FreePort.Next();
        var descriptor = File.ReadAllText(Repo.Example("exec-httpd.json")).Replace("18080", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);

        // oak application create / list, oak service deploy.
        var application = (await oak.PostAsync<List<OakApplication>>("/api/application", descriptor)).ShouldHaveSingleItem();
        var serviceId = application.Microservices.ShouldHaveSingleItem();
        (await oak.GetAsync<List<OakApplication>>("/api/applications")).ShouldHaveSingleItem().ApplicationId.ShouldBe(application.ApplicationId);
        await oak.DoAsync(HttpMethod.Post, $"/api/service/{serviceId}/instance");

        // oak service inspect: RUNNING on the node, and the instance serves its page.
        var service = await Wait.ForAsync(() => oak.GetAsync<OakService>($"/api/service/{serviceId}"),
            s => s.InstanceList is [{ Status: "RUNNING" }], TimeSpan.FromSeconds(60), "the instance RUNNING in GET /api/service/{id}");
        var instance = service.InstanceList.Single();
        (instance.HostPort, service.Port).ShouldBe((port, port.ToString(CultureInfo.InvariantCulture)));
        using var web = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var page = await Wait.ForAsync(() => TryGetAsync(web, $"http://127.0.0.1:{port}/"), p => p is not null, TimeSpan.FromSeconds(20),
            $"the instance answering on port {port}");
        page.ShouldBe("hello from canopy\n");

        // oak service undeploy, oak application delete: the instance stops, nothing is left.
        await oak.DoAsync(HttpMethod.Delete, $"/api/service/{serviceId}/instance/{instance.InstanceNumber}");
        await Wait.ForAsync(() => TryGetAsync(web, $"http://127.0.0.1:{port}/"), p => p is null, TimeSpan.FromSeconds(30),
            $"port {port} to stop answering after the undeploy");
        await oak.DoAsync(HttpMethod.Delete, $"/api/application/{application.ApplicationId}");
        (await oak.GetAsync<List<OakApplication>>("/api/applications")).ShouldBeEmpty();
    }

    private static async Task<string?> TryGetAsync(HttpClient http, string url)
    {
        try
        {
            return await http.GetStringAsync(url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>What the oak CLI reads of the login answer.</summary>
    private sealed record OakLogin([property: JsonPropertyName("token")] string Token);
}
