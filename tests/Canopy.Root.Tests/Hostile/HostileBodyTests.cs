using System.Net;
using System.Net.Http.Headers;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Testing;

namespace Canopy.Root.Tests.Hostile;

/// <summary>
/// A bounded fuzz run against the root's API: every route that takes a body gets hostile bodies (see
/// <see cref="HostileBodies"/>) as the Admin, who may reach every handler. No answer is a 500, every refusal is
/// problem+json, and a refused request leaves the store exactly as it was.
/// </summary>
public sealed class HostileBodyTests : RootTestBase
{
    private const int Seed = 20261206;

    [Fact]
    public async Task Every_body_route_refuses_hostile_bodies_cleanly_and_stores_nothing()
    {
        var valid = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "Data", "exec-httpd.json"));
        var bodies = HostileBodies.Generate(Seed, random: 30, valid);
        var routes = ApiRoutes.Of(Root.App.Services).Where(r => r.TakesBody).ToList();
        var database = Path.Combine(Root.Options.DataDir, "root.db");
        var failures = new List<string>();

        routes.Count.ShouldBeGreaterThan(10);
        foreach (var route in routes)
        {
            foreach (var body in bodies)
            {
                var before = SqliteSnapshot.Take(database);
                using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path());
                request.Content = new ByteArrayContent(body.Bytes);
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(body.ContentType);
                using var response = await Root.Client.SendAsync(request);
                var status = (int)response.StatusCode;
                if (status >= 500)
                {
                    failures.Add($"{route} with {body}: {status}; the body was: {System.Text.Encoding.UTF8.GetString(body.Bytes[..Math.Min(body.Bytes.Length, 2000)])}");
                }
                else if (status >= 400 && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                {
                    failures.Add($"{route} with {body}: {status} as {response.Content.Headers.ContentType}");
                }
                else if (status >= 400 && !SqliteSnapshot.Take(database).SameAs(before))
                {
                    failures.Add($"{route} with {body}: refused with {status}, but the store changed");
                }
            }
        }

        failures.ShouldBeEmpty($"seed {Seed}:\n" + string.Join("\n", failures.Take(30)));
    }

    [Fact]
    public async Task A_body_over_the_limit_is_refused_with_413_before_it_is_read()
    {
        using var content = new ByteArrayContent(new byte[Root.Options.Limits.MaxBodyBytes + 1]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Root.Client.PostAsync("/api/application/", content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await response.Content.ReadAsStringAsync()).ShouldContain("MaxBodyBytes");
    }
}

/// <summary>Per-caller request rates: one user's flood is refused with 429 and does not slow another user down.</summary>
public sealed class RateLimitTests : RootTestBase
{
    private protected override void Tweak(RootOptions options)
    {
        options.Limits.RequestsPerSecond = 2;
        options.Limits.Burst = 20;
    }

    [Fact]
    public async Task A_flood_from_one_user_gets_429_with_retry_after_and_others_are_served()
    {
        await CreateUserAsync("other-user", "other-password-1");
        using var other = Root.Server.CreateClient();
        var login = await Root.LoginAsync("other-user", "other-password-1");
        other.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", login.Token);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 40; i++)
        {
            using var response = await Root.Client.GetAsync("/api/applications/");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                response.Headers.RetryAfter.ShouldNotBeNull();
                (await response.Content.ReadAsStringAsync()).ShouldContain("RequestsPerSecond");
            }
        }

        statuses.ShouldContain(HttpStatusCode.TooManyRequests);
        (await other.GetAsync("/api/applications/")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task CreateUserAsync(string name, string password)
    {
        using var response = await Root.PostJsonAsync("/api/auth/register",
            $$"""{"name":"{{name}}","password":"{{password}}","roles":["Application_Provider"]}""");
        response.IsSuccessStatusCode.ShouldBeTrue(await response.Content.ReadAsStringAsync());
    }
}
