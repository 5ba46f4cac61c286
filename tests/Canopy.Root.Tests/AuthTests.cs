using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public sealed class AuthTests : RootTestBase
{
    [Fact]
    public async Task Login_with_the_right_password_gives_an_access_and_a_refresh_token()
    {
        var login = await Root.LoginAsync();

        login.Token.ShouldNotBeNullOrEmpty();
        login.RefreshToken.ShouldNotBeNullOrEmpty();
        login.Token.ShouldNotBe(login.RefreshToken);
    }

    [Fact]
    public async Task Login_with_a_wrong_password_is_a_401_problem()
    {
        var response = await Root.Client.PostAsJsonAsync("/api/auth/login", new { username = "Admin", password = "wrong" });

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.Detail().ShouldBe("invalid username or password");
    }

    [Fact]
    public async Task Login_of_an_unknown_user_is_the_same_401()
    {
        var response = await Root.Client.PostAsJsonAsync("/api/auth/login", new { username = "nobody", password = "x" });

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldBe("invalid username or password");
    }

    [Fact]
    public async Task Login_without_a_password_is_a_400_naming_the_field()
    {
        var response = await Root.Client.PostAsJsonAsync("/api/auth/login", new { username = "Admin" });

        (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Errors().ShouldContain("password: required");
    }

    [Fact]
    public async Task A_request_without_a_token_is_a_401_problem_that_says_how_to_log_in()
    {
        using var anonymous = Root.Server.CreateClient();

        var response = await anonymous.GetAsync("/api/applications/");

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.Detail().ShouldContain("No bearer token");
        problem.Detail().ShouldContain("/api/auth/login");
    }

    [Fact]
    public async Task A_garbage_token_is_a_401_problem()
    {
        using var client = Root.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt");

        var response = await client.GetAsync("/api/applications/");

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("not valid");
    }

    [Fact]
    public async Task A_refresh_token_gives_a_new_access_token_that_works()
    {
        var login = await Root.LoginAsync();
        using var client = Root.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.RefreshToken);

        var response = await client.PostAsync("/api/auth/refresh", null);

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var refreshed = (await response.Content.ReadFromJsonAsync<RefreshResponse>(CanopyJson.Options))!;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", refreshed.Token);
        (await client.GetAsync("/api/applications/")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_refresh_token_in_the_body_works_too()
    {
        var login = await Root.LoginAsync();
        using var client = Root.Server.CreateClient();

        var response = await client.PostAsJsonAsync("/api/auth/refresh", new { refresh_token = login.RefreshToken });

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_refresh_token_is_refused_as_an_access_token()
    {
        var login = await Root.LoginAsync();
        using var client = Root.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.RefreshToken);

        var response = await client.GetAsync("/api/applications/");

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("refresh token cannot be used");
    }

    [Fact]
    public async Task An_access_token_is_refused_at_refresh()
    {
        var login = await Root.LoginAsync();
        using var client = Root.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Token);

        var response = await client.PostAsync("/api/auth/refresh", null);

        await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Open_endpoints_need_no_token()
    {
        using var anonymous = Root.Server.CreateClient();

        (await anonymous.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/api/clusters/")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/api/clusters/active")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetAsync("/api/docs/v1/swagger.json")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}

/// <summary>Tokens that live one second: after it (and the 5 s clock skew) they are refused with "expired".</summary>
public sealed class ExpiredTokenTests : RootTestBase
{
    private protected override void Tweak(RootOptions options) => options.AccessTokenLifetime = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task An_expired_token_is_a_401_problem_that_says_it_expired()
    {
        var response = await Eventually.ValueAsync(
            () => Root.Client.GetAsync("/api/applications/"),
            r => r.StatusCode == HttpStatusCode.Unauthorized,
            "the token to expire", TimeSpan.FromSeconds(20));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem.Detail().ShouldContain("expired");
        problem.Detail().ShouldContain("/api/auth/refresh");
    }
}
