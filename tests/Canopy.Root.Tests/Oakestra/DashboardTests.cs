using System.Net;
using System.Text;
using System.Text.Json;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests.Oakestra;

/// <summary>
/// The calls Oakestra's dashboard makes (oakestra/dashboard, src/app/shared/modules/api/api.service.ts and the services it
/// uses), in the order a user's session makes them, from the dashboard's own origin: every one preflighted, every answer
/// readable by the page.
/// </summary>
public sealed class DashboardTests : RootTestBase
{
    private const string Origin = "http://dashboard.example:8080";

    private protected override void Tweak(RootOptions options) => options.CorsOrigins = [Origin];

    [Fact]
    public async Task A_dashboard_session_from_its_own_origin_works_end_to_end()
    {
        using var http = Root.Server.CreateClient();
        var browser = new DashboardBrowser(http, Origin);

        // Log in; the page reads the user name (sub), roles and organization from the token itself.
        var login = await browser.CallAsync(HttpMethod.Post, "/api/auth/login", new { username = "Admin", password = RootHost.AdminPassword });
        browser.Token = login.GetProperty("token").GetString();
        var claims = Claims(browser.Token!);
        claims.GetProperty("sub").GetString().ShouldBe("Admin");
        claims.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldContain("Admin");
        var organization = claims.GetProperty("organization").GetString().ShouldNotBeNull();
        organization.ShouldMatch("^[0-9a-f]{24}$");

        var permission = await browser.CallAsync(HttpMethod.Get, "/api/permission/Admin");
        permission.GetProperty("roles").EnumerateArray().Select(r => r.GetString()).ShouldBe(
            ["Admin", "Organization_Admin", "Application_Provider", "Infrastructure_Provider"]);

        // The user's id, then their applications by it.
        var user = await browser.CallAsync(HttpMethod.Get, "/api/user/Admin");
        var userId = Oid(user);
        (await browser.CallAsync(HttpMethod.Get, $"/api/applications/{userId}")).GetArrayLength().ShouldBe(0);

        var created = await browser.CallAsync(HttpMethod.Post, "/api/application/", Descriptors.ExecHttpd);
        var application = created.EnumerateArray().Single();
        var applicationId = Oid(application);
        applicationId.ShouldBe(application.GetProperty("applicationID").GetString());
        (await browser.CallAsync(HttpMethod.Get, $"/api/applications/{userId}")).EnumerateArray().Single()
            .GetProperty("application_name").GetString().ShouldBe("hello");
        (await browser.CallAsync(HttpMethod.Get, $"/api/application/{applicationId}")).GetProperty("application_namespace").GetString().ShouldBe("demo");

        // Its services, one more instance of the first, the service with that instance.
        var service = (await browser.CallAsync(HttpMethod.Get, $"/api/services/{applicationId}")).EnumerateArray().Single();
        var serviceId = Oid(service);
        serviceId.ShouldBe(service.GetProperty("microserviceID").GetString());
        await browser.CallAsync(HttpMethod.Post, $"/api/service/{serviceId}/instance", service.GetRawText());
        var detail = await browser.CallAsync(HttpMethod.Get, $"/api/service/{serviceId}");
        detail.GetProperty("instance_list").GetArrayLength().ShouldBe(1);
        (await browser.CallAsync(HttpMethod.Get, "/api/services/")).GetArrayLength().ShouldBe(1);

        await browser.CallAsync(HttpMethod.Get, "/api/clusters/");
        await browser.CallAsync(HttpMethod.Get, "/api/clusters/active");

        // Administration: the organization and its users.
        var organizations = await browser.CallAsync(HttpMethod.Get, "/api/organization/");
        var root = organizations.EnumerateArray().Single();
        (Oid(root), root.GetProperty("name").GetString()).ShouldBe((organization, "root"));
        root.GetProperty("member").EnumerateArray().Single().GetProperty("user_id").GetString().ShouldBe(userId);
        Oid((await browser.CallAsync(HttpMethod.Get, $"/api/users/{organization}")).EnumerateArray().Single()).ShouldBe(userId);
        await browser.CallAsync(HttpMethod.Get, "/api/users/");

        // Edit the application, remove the instance.
        await browser.CallAsync(HttpMethod.Put, $"/api/application/{applicationId}", application.GetRawText().Replace("\"hello\"", "\"renamed\"", StringComparison.Ordinal));
        await browser.CallAsync(HttpMethod.Delete, $"/api/service/{serviceId}/instance/0");

        // The user changes their password; the old one stops working, the new one logs in; the session renews its token.
        await browser.CallAsync(HttpMethod.Post, "/api/user/Admin", new { oldPassword = RootHost.AdminPassword, newPassword = "a-new-secret-2" });
        (await browser.SendAsync(HttpMethod.Post, "/api/auth/login", new { username = "Admin", password = RootHost.AdminPassword }, bearer: ""))
            .Status.ShouldBe(HttpStatusCode.Unauthorized);
        var again = await browser.CallAsync(HttpMethod.Post, "/api/auth/login", new { username = "Admin", password = "a-new-secret-2" }, bearer: "");
        await browser.CallAsync(HttpMethod.Post, "/api/auth/refresh", new { }, bearer: again.GetProperty("refresh_token").GetString());

        await browser.CallAsync(HttpMethod.Delete, $"/api/application/{applicationId}");
    }

    [Fact]
    public async Task An_error_answer_is_readable_by_the_dashboard_too()
    {
        using var http = Root.Server.CreateClient();
        var browser = new DashboardBrowser(http, Origin) { Token = "not-a-token" };

        var (status, body) = await browser.SendAsync(HttpMethod.Get, "/api/applications/");

        status.ShouldBe(HttpStatusCode.Unauthorized);
        body.GetProperty("detail").GetString().ShouldNotBeNull().ShouldContain("not valid");
    }

    [Theory]
    [InlineData("http://evil.example")]
    [InlineData("http://dashboard.example:8081")]
    [InlineData("http://localhost:4200")]
    public async Task Another_origin_is_not_allowed(string origin)
    {
        using var http = Root.Server.CreateClient();
        var browser = new DashboardBrowser(http, origin);

        using var preflight = await browser.PreflightResponseAsync(HttpMethod.Post, "/api/auth/login", ["content-type"]);

        DashboardBrowser.AllowedOrigin(preflight).ShouldBeNull();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = new StringContent($$"""{"username":"Admin","password":"{{RootHost.AdminPassword}}"}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Origin", origin);
        using var response = await http.SendAsync(request);
        DashboardBrowser.AllowedOrigin(response).ShouldBeNull();
    }

    private static string Oid(JsonElement document)
    {
        var id = document.GetProperty("_id").GetProperty("$oid").GetString().ShouldNotBeNull();
        id.ShouldMatch("^[0-9a-f]{24}$");
        return id;
    }

    private static JsonElement Claims(string jwt)
    {
        var payload = jwt.Split('.')[1].Replace('-', '+').Replace('_', '/');
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=')));
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
