using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Auth;
using Canopy.Root.Store;
using Canopy.Root.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;

namespace Canopy.Root.Tests.Tenancy;

/// <summary>Failed logins are slowed per address and per user at an address, never so that the Admin elsewhere is locked out; logout; passwords.</summary>
public sealed class LoginHardeningTests : RootTestBase
{
    private static readonly IPAddress Attacker = IPAddress.Parse("203.0.113.7");
    private static readonly IPAddress AdminDesk = IPAddress.Parse("198.51.100.20");

    [Fact]
    public async Task Guessing_the_admins_password_from_one_address_is_slowed_there_while_the_admin_logs_in_from_another()
    {
        for (var i = 0; i < LoginThrottle.UserAllowance; i++)
        {
            (await LoginFromAsync(Attacker, "Admin", "wrong-password-" + i)).Response.StatusCode.ShouldBe(StatusCodes.Status401Unauthorized);
        }

        var refused = await LoginFromAsync(Attacker, "Admin", RootHost.AdminPassword);
        refused.Response.StatusCode.ShouldBe(StatusCodes.Status429TooManyRequests);
        refused.Response.Headers.RetryAfter.ToString().ShouldBe("1");
        (await BodyOf(refused)).ShouldContain("Too many failed logins from this address");

        (await LoginFromAsync(AdminDesk, "Admin", RootHost.AdminPassword)).Response.StatusCode.ShouldBe(StatusCodes.Status200OK);
    }

    [Fact]
    public void The_delay_doubles_from_one_second_to_five_minutes_and_fades_after_quiet_minutes()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-12-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var throttle = new LoginThrottle(time);
        var address = IPAddress.Parse("192.0.2.1");

        LoginThrottle.Delay(4, 5).ShouldBe(TimeSpan.Zero);
        LoginThrottle.Delay(5, 5).ShouldBe(TimeSpan.FromSeconds(1));
        LoginThrottle.Delay(7, 5).ShouldBe(TimeSpan.FromSeconds(4));
        LoginThrottle.Delay(100, 5).ShouldBe(LoginThrottle.MaxDelay);

        for (var i = 0; i < 7; i++)
        {
            throttle.Failed("carol", address);
        }

        throttle.Wait("carol", address).ShouldBe(TimeSpan.FromSeconds(4));
        throttle.Wait("dave", address).ShouldBe(TimeSpan.Zero, "the address has not reached its own allowance");
        throttle.Wait("carol", IPAddress.Parse("192.0.2.2")).ShouldBe(TimeSpan.Zero, "another address is not slowed for carol");
        time.Advance(TimeSpan.FromSeconds(4));
        throttle.Wait("carol", address).ShouldBe(TimeSpan.Zero);

        time.Advance(LoginThrottle.Quiet);
        throttle.Failed("carol", address);
        throttle.Wait("carol", address).ShouldBe(TimeSpan.Zero, "failures fade after a quiet quarter hour");

        for (var i = 0; i < LoginThrottle.AddressAllowance; i++)
        {
            throttle.Failed($"user{i}", IPAddress.Parse("192.0.2.9"));
        }

        throttle.Wait("someone-else", IPAddress.Parse("192.0.2.9")).ShouldBe(TimeSpan.FromSeconds(1), "one address guessing many users is slowed too");
    }

    [Fact]
    public void A_user_under_a_spread_out_attack_gets_one_free_try_per_address()
    {
        var throttle = new LoginThrottle(TimeProvider.System);
        for (var i = 0; i < LoginThrottle.UnderAttack; i++)
        {
            throttle.Failed("Admin", IPAddress.Parse($"10.9.0.{i + 1}"));
        }

        var fresh = IPAddress.Parse("10.9.1.1");
        throttle.Wait("Admin", fresh).ShouldBe(TimeSpan.Zero, "the first try from a new address is always looked at");
        throttle.Failed("Admin", fresh);
        throttle.Wait("Admin", fresh).ShouldBeGreaterThan(TimeSpan.Zero);
    }

    [Fact]
    public async Task Logout_revokes_the_refresh_token()
    {
        var login = await Root.LoginAsync();
        using var refresh = await PostAsync("/api/auth/refresh", new { refresh_token = login.RefreshToken });
        refresh.StatusCode.ShouldBe(HttpStatusCode.OK);

        using var logout = await PostAsync("/api/auth/logout", new { refresh_token = login.RefreshToken });
        logout.StatusCode.ShouldBe(HttpStatusCode.OK, await logout.Content.ReadAsStringAsync());

        var refused = await (await PostAsync("/api/auth/refresh", new { refresh_token = login.RefreshToken })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        refused.Detail().ShouldContain("revoked");
        (await Root.LoginAsync()).Token.ShouldNotBeEmpty("another session is untouched");
    }

    [Fact]
    public async Task Passwords_shorter_than_twelve_characters_are_refused_with_the_minimum()
    {
        var problem = await (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "shorty", password = "elevenchars" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem.Detail().ShouldBe("password: at least 12 characters are required (got 11)");
        (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "longer", password = "twelve-chars" })).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_old_cheaper_hash_is_upgraded_at_the_next_login()
    {
        var store = Root.Service<IRootStore>();
        var admin = (await store.GetUserAsync("Admin", default))!;
        admin.PasswordHash.ShouldStartWith($"pbkdf2-sha256${PasswordHasher.Iterations}$");
        await store.UpdateUserAsync(admin with { PasswordHash = PasswordHasher.Hash(RootHost.AdminPassword, 100_000) }, default);

        await Root.LoginAsync();

        var upgraded = (await store.GetUserAsync("Admin", default))!.PasswordHash;
        upgraded.ShouldStartWith("pbkdf2-sha256$600000$");
        PasswordHasher.Verify(RootHost.AdminPassword, upgraded).ShouldBeTrue();
    }

    private Task<HttpResponseMessage> PostAsync(string path, object body) =>
        Root.Client.PostAsync(path, new StringContent(JsonSerializer.Serialize(body, CanopyJson.Options), Encoding.UTF8, "application/json"));

    private Task<HttpContext> LoginFromAsync(IPAddress address, string user, string password) =>
        Root.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = address;
            c.Request.Method = "POST";
            c.Request.Path = "/api/auth/login";
            c.Request.ContentType = "application/json";
            c.Request.Body = new MemoryStream(JsonSerializer.SerializeToUtf8Bytes(new LoginRequest(user, password), CanopyJson.Options));
        });

    private static async Task<string> BodyOf(HttpContext context)
    {
        return await new StreamReader(context.Response.Body).ReadToEndAsync();
    }

    private sealed class ManualTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset _now = start;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
