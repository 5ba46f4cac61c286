using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary>Roles, own password, own applications by user id, the organization: what a user may ask about themselves and others.</summary>
public class AccountTests : RootTestBase
{
    [Fact]
    public async Task A_user_reads_their_own_roles_and_not_anothers()
    {
        using var dave = await UserAsync("dave", "pw-dave-long-1");

        (await dave.GetFromJsonAsync<PermissionDocument>("/api/permission/dave", CanopyJson.Options))!.Roles.ShouldBe([Roles.ApplicationProvider]);
        await (await dave.GetAsync("/api/permission/Admin")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await Root.GetAsync<PermissionDocument>("/api/permission/dave")).Roles.ShouldBe([Roles.ApplicationProvider]);
    }

    [Fact]
    public async Task A_user_changes_their_own_password_only_with_the_old_one()
    {
        using var dave = await UserAsync("dave", "pw-dave-long-1");

        var wrong = await (await dave.PostAsJsonAsync("/api/user/dave", new { oldPassword = "guess", newPassword = "pw-new-long-12" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        wrong.Detail().ShouldContain("oldPassword");
        await (await dave.PostAsJsonAsync("/api/user/dave", new { oldPassword = "pw-dave-long-1", newPassword = "pw-dave-long-1" }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        (await (await dave.PostAsJsonAsync("/api/user/dave", new { oldPassword = "pw-dave-long-1" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest))
            .Errors().ShouldBe(["newPassword: required"]);
        var others = await (await dave.PostAsJsonAsync("/api/user/Admin", new { oldPassword = "x", newPassword = "y" }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        others.Detail().ShouldContain("PUT /api/user/Admin");

        (await dave.PostAsJsonAsync("/api/user/dave", new { oldPassword = "pw-dave-long-1", newPassword = "pw-new-long-12" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.LoginAsync("dave", "pw-new-long-12")).Token.ShouldNotBeEmpty();
        (await Root.Client.PostAsJsonAsync("/api/auth/login", new { username = "dave", password = "pw-dave-long-1" })).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Applications_by_user_id_are_those_of_a_member_of_your_organization_and_for_an_admin_anyones()
    {
        using var dave = await UserAsync("dave", "pw-dave-long-1");
        (await dave.PostAsync("/api/application/", new StringContent(Descriptors.ExecHttpd, System.Text.Encoding.UTF8, "application/json")))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var daveId = (await dave.GetFromJsonAsync<UserDocument>("/api/user/dave", CanopyJson.Options))!.Id.ShouldNotBeNull().Oid;
        var adminId = (await Root.GetAsync<UserDocument>("/api/user/Admin")).Id.ShouldNotBeNull().Oid;

        (await dave.GetFromJsonAsync<List<ApplicationDocument>>($"/api/applications/{daveId}", CanopyJson.Options))!.ShouldHaveSingleItem().UserId.ShouldBe("dave");
        (await dave.GetFromJsonAsync<List<ApplicationDocument>>($"/api/applications/{adminId}", CanopyJson.Options))!.ShouldBeEmpty();
        (await Root.Client.PostAsJsonAsync("/api/organization/", new { name = "acme" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name = "erin", password = "pw-erin-long-1", organization = "acme" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        await (await dave.GetAsync($"/api/applications/{(await Root.GetAsync<UserDocument>("/api/user/erin")).Id!.Oid}"))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await Root.GetAsync<List<ApplicationDocument>>($"/api/applications/{daveId}")).ShouldHaveSingleItem();
        (await Root.GetAsync<List<ApplicationDocument>>($"/api/applications/{adminId}")).ShouldBeEmpty();
        await (await Root.Client.GetAsync("/api/applications/0123456789abcdef01234567")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task User_ids_stay_the_same_across_a_restart()
    {
        var before = (await Root.GetAsync<UserDocument>("/api/user/Admin")).Id;

        await RestartAsync();

        (await Root.GetAsync<UserDocument>("/api/user/Admin")).Id.ShouldBe(before);
    }

    [Fact]
    public async Task The_default_organization_holds_the_users_with_their_roles_and_is_for_admins()
    {
        using var dave = await UserAsync("dave", "pw-dave-long-1");

        var organization = (await Root.GetAsync<List<OrganizationDocument>>("/api/organization/")).ShouldHaveSingleItem();
        organization.Name.ShouldBe("root");
        organization.Member.Select(m => (m.UserId, m.Roles.Count)).ShouldBe(
            [((await Root.GetAsync<UserDocument>("/api/user/Admin")).Id!.Oid, 4), ((await Root.GetAsync<UserDocument>("/api/user/dave")).Id!.Oid, 1)],
            ignoreOrder: true);
        (await Root.GetAsync<List<UserDocument>>($"/api/users/{organization.Id.Oid}")).Count.ShouldBe(2);
        await (await Root.Client.GetAsync("/api/users/0123456789abcdef01234567")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await dave.GetAsync("/api/organization/")).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await Root.Client.GetAsync("/api/organization")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<HttpClient> UserAsync(string name, string password)
    {
        (await Root.Client.PostAsJsonAsync("/api/auth/register", new { name, password })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var client = Root.Server.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", (await Root.LoginAsync(name, password)).Token);
        return client;
    }
}
