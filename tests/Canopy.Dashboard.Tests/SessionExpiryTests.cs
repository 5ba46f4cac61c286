using System.Net;
using System.Net.Http.Headers;
using Canopy.Testing;
using Canopy.Testing.Browser;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Canopy.Dashboard.Tests;

/// <summary>
/// A session whose token expires while the user types: the dashboard asks to log in again over the page and keeps what was
/// typed. Its own <c>canopy up</c> whose access tokens last a second (past the API's 5 s clock skew allowance, they expire).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class SessionExpiryTests(DashboardStack stack) : IAsyncLifetime
{
    private readonly CanopyProcess _shortSessions = new();

    public Task InitializeAsync() =>
        _shortSessions.StartAsync(environment: new Dictionary<string, string> { ["CANOPY_Root__AccessTokenLifetime"] = "00:00:05" });

    public Task DisposeAsync() => _shortSessions.DisposeAsync().AsTask();

    [Fact]
    public async Task ExpiredToken_AsksToLogInAgain_KeepsTypedText_ThenDeploys()
    {
        await using var tab = await stack.OpenAsync(rootUrl: _shortSessions.RootUrl);
        var page = tab.Page;
        await DashboardLogin.OpenAndLogInAsync(page, DashboardStack.Admin, CanopyProcess.AdminPassword);
        await DeployForm.OpenAsync(page);
        var descriptor = DeployForm.Descriptor(page);
        var typed = SleeperDescriptor("typed");
        await descriptor.FillAsync(typed);

        var token = await page.EvaluateAsync<string>("() => sessionStorage.getItem('canopy.token')");
        await Wait.UntilAsync(() => RefusedAsync(token), TimeSpan.FromSeconds(30), "the dashboard's token to expire");
        await DeployForm.Button(page).ClickAsync();

        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Log in again", Exact = true });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(descriptor).ToHaveValueAsync(typed);
        await Screenshots.SaveAsync(page, "session-expired");
        await DashboardLogin.FillAsync(page, DashboardStack.Admin, CanopyProcess.AdminPassword, dialog);

        // Logged in again, the deploy the user asked for goes on with the text as typed.
        await Expect(dialog).ToBeHiddenAsync();
        await Expect(page.Locator("h1")).ToContainTextAsync("typed");
        using var api = await _shortSessions.ApiAsync();
        (await api.ApplicationsAsync()).ShouldContain(a => a.ApplicationName == "typed");
    }

    private async Task<bool> RefusedAsync(string token)
    {
        using var http = _shortSessions.Http();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.GetAsync("api/applications/");
        return response.StatusCode == HttpStatusCode.Unauthorized;
    }

    private static string SleeperDescriptor(string app) => $$"""
    {"sla_version": "v2.0", "customerID": "Admin", "applications": [{"application_name": "{{app}}", "application_namespace": "e2e",
      "microservices": [{"microservice_name": "svc", "microservice_namespace": "e2e", "virtualization": "exec",
        "cmd": ["sh", "-c", "exec sleep 3600"], "memory": 16, "vcpus": 0.05}]}]}
    """;
}
