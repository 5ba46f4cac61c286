using System.Net.Http.Json;
using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests.Topology;

/// <summary>scripts/topology.sh: up prints a ROOT_URL reachable from here with CANOPY_ADMIN_PASSWORD as Admin's password; down leaves nothing.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TopologyScriptTests(ITestOutputHelper output)
{
    [Fact]
    public async Task UpPrintsReachableRootUrl_HonoursAdminPassword_DownRemovesEverything()
    {
        Requirements.Check();
        const string password = "script-admin-password";
        var tag = "s" + Convert.ToHexString(Guid.NewGuid().ToByteArray())[..5].ToLowerInvariant();
        var state = "/tmp/canopy-topology-" + tag;
        try
        {
            var up = await ScriptAsync(password, "up", "--clusters", "1", "--workers", "2", "--tag", tag);
            output.WriteLine(up.ToString());
            up.ExitCode.ShouldBe(0, up.ToString());
            var rootUrl = up.StdOut.Split('\n').Single(l => l.StartsWith("ROOT_URL=", StringComparison.Ordinal))["ROOT_URL=".Length..].Trim();
            rootUrl.ShouldStartWith("https://10.200.");
            var pki = Path.Combine(state, "data", "root", "pki");
            up.StdOut.ShouldContain("ROOT_CA_PIN=" + PinnedHttp.PinOf(pki));

            using var http = PinnedHttp.Client(pki, rootUrl, TimeSpan.FromSeconds(10));
            var login = await http.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", password), CanopyJson.Options);
            login.IsSuccessStatusCode.ShouldBeTrue(await login.Content.ReadAsStringAsync());
            var token = (await login.Content.ReadFromJsonAsync<LoginResponse>(CanopyJson.Options))!.Token;
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
            var active = await http.GetJsonAsync<List<ClusterDocument>>("api/clusters/active");
            active.Single().ActiveNodes.ShouldBe(2);
            Directory.Exists(state).ShouldBeTrue();
            NamespacesOf(tag).Count.ShouldBe(4);

            var status = await ScriptAsync(password, "status", "--tag", tag);
            status.StdOut.Split('\n', StringSplitOptions.RemoveEmptyEntries).Count(l => l.Contains("running")).ShouldBe(4, status.ToString());
        }
        finally
        {
            var down = await ScriptAsync(password, "down", "--tag", tag);
            down.ExitCode.ShouldBe(0, down.ToString());
        }

        NamespacesOf(tag).ShouldBeEmpty();
        Directory.Exists(state).ShouldBeFalse();
        Canopy.Testing.Topology.PidsWithCommandLine(state).ShouldBeEmpty();
        (await Sh("ip", "-o", "link", "show")).StdOut.ShouldNotContain(tag);

        // down again: nothing to do, still fine.
        (await ScriptAsync(password, "down", "--tag", tag)).ExitCode.ShouldBe(0);
    }

    private static List<string> NamespacesOf(string tag) =>
        Sh("ip", "netns", "list").GetAwaiter().GetResult().StdOut.Split('\n')
            .Where(l => l.StartsWith($"canopy-{tag}-", StringComparison.Ordinal)).ToList();

    private static Task<CliResult> ScriptAsync(string password, params string[] args)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(Path.Combine(Repo.Root, "scripts", "topology.sh"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment["CANOPY_ADMIN_PASSWORD"] = password;
        psi.Environment["CANOPY_BIN"] = Repo.CanopyBinary;
        return RunAsync(psi, args);
    }

    private static Task<CliResult> Sh(string file, params string[] args) =>
        RunAsync(new System.Diagnostics.ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false }, args);

    private static async Task<CliResult> RunAsync(System.Diagnostics.ProcessStartInfo psi, string[] args)
    {
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(240));
        await p.WaitForExitAsync(cts.Token);
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }
}
