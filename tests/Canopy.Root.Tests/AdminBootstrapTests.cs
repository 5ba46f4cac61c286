using System.Net;
using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Root.Tests;

public sealed class AdminBootstrapTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task The_first_start_generates_a_password_in_a_file_only_the_owner_can_read()
    {
        await using var root = await RootHost.StartAsync(_dir.Path, o => o.AdminPassword = null);
        var bootstrap = root.Service<AdminBootstrap>();

        bootstrap.UserName.ShouldBe("Admin");
        bootstrap.InitialPassword.ShouldNotBeNull().Length.ShouldBe(20);
        bootstrap.PasswordFile.ShouldBe(Path.Combine(_dir.Path, "admin-password"));
        (await File.ReadAllTextAsync(bootstrap.PasswordFile)).Trim().ShouldBe(bootstrap.InitialPassword);
        if (!OperatingSystem.IsWindows())
        {
            File.GetUnixFileMode(bootstrap.PasswordFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        (await root.LoginAsync("Admin", bootstrap.InitialPassword)).Token.ShouldNotBeEmpty();
    }

    [Fact]
    public async Task A_second_start_creates_no_second_admin_and_reports_no_password()
    {
        string password;
        await using (var first = await RootHost.StartAsync(_dir.Path, o => o.AdminPassword = null))
        {
            password = first.Service<AdminBootstrap>().InitialPassword!;
        }

        await using var second = await RootHost.StartAsync(_dir.Path, o => o.AdminPassword = "ignored-now-12");

        second.Service<AdminBootstrap>().InitialPassword.ShouldBeNull();
        var login = await second.LoginAsync("Admin", password);
        second.Client.DefaultRequestHeaders.Authorization = new("Bearer", login.Token);
        (await second.GetAsync<List<UserDocument>>("/api/users/")).ShouldHaveSingleItem().Roles.ShouldBe(Roles.All);
        (await second.Client.PostAsJsonAsync("/api/auth/login", new { username = "Admin", password = "ignored-now-12" }))
            .StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_configured_admin_password_is_used_and_not_written_out()
    {
        await using var root = await RootHost.StartAsync(_dir.Path, o => o.AdminPassword = "from-config-42");

        (await root.LoginAsync("Admin", "from-config-42")).Token.ShouldNotBeEmpty();
        root.Service<AdminBootstrap>().InitialPassword.ShouldBeNull();
        File.Exists(Path.Combine(_dir.Path, "admin-password")).ShouldBeFalse();
    }

    [Fact]
    public async Task Without_a_join_token_every_cluster_is_refused_with_a_clear_message()
    {
        await using var root = await RootHost.StartAsync(_dir.Path, o => o.ClusterJoinToken = "");

        var response = await root.Client.PostAsJsonAsync("/api/v1/clusters/register", new { cluster_name = "c1", join_token = "" });

        (await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized)).Detail().ShouldContain("no cluster join token configured");
    }

    [Fact]
    public void An_unknown_scheduling_algorithm_is_refused_at_creation()
    {
        var error = Should.Throw<ArgumentException>(() =>
            RootApplication.Create(new RootOptions { DataDir = _dir.Path, SchedulingAlgorithm = "magic" }));

        error.Message.ShouldContain("best-fit");
    }

    [Fact]
    public async Task The_signing_key_survives_a_restart_so_tokens_stay_valid()
    {
        string token;
        await using (var first = await RootHost.StartAsync(_dir.Path))
        {
            token = (await first.LoginAsync()).Token;
        }

        await using var second = await RootHost.StartAsync(_dir.Path);
        second.Client.DefaultRequestHeaders.Authorization = new("Bearer", token);

        (await second.Client.GetAsync("/api/applications/")).StatusCode.ShouldBe(HttpStatusCode.OK);
        second.App.Services.GetRequiredService<RootOptions>().DataDir.ShouldBe(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();
}
