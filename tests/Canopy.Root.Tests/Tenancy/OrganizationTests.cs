using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Canopy.Root.Tests.Tenancy;

/// <summary>Organizations, memberships and what a login and its token say about them; who may use exec.</summary>
public class OrganizationTests : RootTestBase
{
    [Fact]
    public async Task A_login_names_an_organization_and_the_token_carries_its_id_name_and_the_roles_there()
    {
        var tenants = await Tenants.CreateAsync(Root);
        (await Root.Client.PutAsJsonAsync($"/api/organization/{Tenants.Acme}/members/root-ap", new { roles = new[] { "Organization_Admin" } }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var inRoot = Claims((await Root.LoginAsync("root-ap", Tenants.Password)).Token);
        inRoot.GetClaim("organization").Value.ShouldBe(tenants.OrganizationIds["root"]);
        inRoot.GetClaim("organization_name").Value.ShouldBe("root");
        inRoot.GetPayloadValue<string[]>("roles").ShouldBe([Roles.ApplicationProvider]);

        var login = await Root.Client.PostAsJsonAsync("/api/auth/login", new { username = "root-ap", password = Tenants.Password, organization = Tenants.Acme });
        var inAcme = Claims((await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!.Token);
        inAcme.GetClaim("organization").Value.ShouldBe(tenants.OrganizationIds[Tenants.Acme]);
        inAcme.GetPayloadValue<string[]>("roles").ShouldBe([Roles.OrganizationAdmin]);

        var oakestra = await Root.Client.PostAsJsonAsync("/api/auth/login", new { username = "acme-ap", password = Tenants.Password, organization_name = "root" });
        (await oakestra.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldBe("invalid username, password or organization");
    }

    [Fact]
    public async Task An_organization_admin_manages_only_their_own_organization_and_cannot_grant_admin()
    {
        var tenants = await Tenants.CreateAsync(Root);
        var acmeAdmin = await tenants.ClientAsync("acme-oa");

        (await acmeAdmin.PostAsJsonAsync("/api/auth/register", new { name = "acme-new", password = Tenants.Password, roles = new[] { "Application_Provider" } }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Root.LoginAsync("acme-new", Tenants.Password)).Token.ShouldNotBeEmpty();
        await (await acmeAdmin.PostAsJsonAsync("/api/auth/register", new { name = "sneaky", password = Tenants.Password, organization = "root" }))
            .ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await acmeAdmin.PostAsJsonAsync("/api/auth/register", new { name = "boss", password = Tenants.Password, roles = new[] { "Admin" } }))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await acmeAdmin.PutAsJsonAsync("/api/user/root-ap", new { password = "taken-over-password" })).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        var users = await acmeAdmin.GetFromJsonAsync<List<UserDocument>>("/api/users/", CanopyJson.Options);
        users!.Select(u => u.Name).ShouldAllBe(n => n.StartsWith("acme-", StringComparison.Ordinal));
        var organizations = await acmeAdmin.GetFromJsonAsync<List<OrganizationDocument>>("/api/organization/", CanopyJson.Options);
        organizations!.ShouldHaveSingleItem().Name.ShouldBe(Tenants.Acme);
    }

    [Fact]
    public async Task Admin_is_a_role_of_root_only_and_root_cannot_be_deleted_or_left_without_an_admin()
    {
        await Tenants.CreateAsync(Root);
        (await (await Root.Client.PutAsJsonAsync($"/api/organization/{Tenants.Acme}/members/acme-ap", new { roles = new[] { "Admin" } }))
            .ShouldBeProblemAsync(HttpStatusCode.BadRequest)).Detail().ShouldContain("Admin is a role of the organization 'root' only");
        await (await Root.Client.DeleteAsync("/api/organization/root")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await Root.Client.DeleteAsync("/api/organization/root/members/Admin")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        (await (await Root.Client.DeleteAsync($"/api/organization/{Tenants.Acme}")).ShouldBeProblemAsync(HttpStatusCode.Conflict))
            .Detail().ShouldContain("still has 1 application(s)");
    }

    [Fact]
    public async Task Exec_is_refused_to_an_organization_the_setting_does_not_list_with_the_setting_named()
    {
        var tenants = await Tenants.CreateAsync(Root);
        var acme = await tenants.ClientAsync("acme-ap");

        var refused = await (await acme.PostAsync("/api/application/", new StringContent(Descriptors.ExecHttpd, System.Text.Encoding.UTF8, "application/json")))
            .ShouldBeProblemAsync(HttpStatusCode.Forbidden);

        refused.Detail().ShouldContain("applications[0].microservices[0].virtualization: 'exec' is not allowed");
        refused.Detail().ShouldContain("ExecAllowedOrganizations (root)");
        (await Root.PostJsonAsync("/api/application/", Descriptors.ExecHttpd)).StatusCode.ShouldBe(HttpStatusCode.OK, "root keeps exec by default");
    }

    private static JsonWebToken Claims(string token) => new(token);
}
