using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

public class UserTests : RootTestBase
{
    [Fact]
    public async Task An_admin_registers_updates_and_deletes_a_user()
    {
        var registered = await Root.Client.PostAsJsonAsync("/api/auth/register",
            new { name = "carol", password = "pw-carol-long-1", roles = new[] { "application_provider" }, email = "c@example.org" });
        registered.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.GetAsync<UserDocument>("/api/user/carol")).Roles.ShouldBe([Roles.ApplicationProvider]);

        (await Root.PutJsonAsync("/api/user/carol", """{"password":"pw-new-long-12","roles":["Infrastructure_Provider"]}""")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.LoginAsync("carol", "pw-new-long-12")).Token.ShouldNotBeEmpty();
        (await Root.GetAsync<UserDocument>("/api/user/carol")).Roles.ShouldBe([Roles.InfrastructureProvider]);

        (await Root.Client.DeleteAsync("/api/user/carol")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await Root.Client.GetAsync("/api/user/carol")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Bad_registrations_are_refused()
    {
        await (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "Admin", password = "long-enough-password" }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var bad = await (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "bad name", roles = new[] { "King" } }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        bad.Errors().Count.ShouldBe(3);
    }

    [Fact]
    public async Task The_last_admin_cannot_be_deleted()
    {
        await (await Root.Client.DeleteAsync("/api/user/Admin")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task A_user_reads_only_their_own_record()
    {
        (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "dave", password = "pw-dave-long-1" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var dave = Root.Server.CreateClient();
        dave.DefaultRequestHeaders.Authorization = new("Bearer", (await Root.LoginAsync("dave", "pw-dave-long-1")).Token);

        (await dave.GetAsync("/api/user/dave")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await dave.GetAsync("/api/user/Admin")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await dave.PostAsJsonAsync("/api/auth/register", new { name = "eve", password = "x" })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
    }
}
