using System.Net;
using Canopy.Contracts.Api;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>Step 1 and 2 of the first issue: `canopy up` starts everything, prints what a user needs, and the API is closed without a token.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class UpTests
{
    public UpTests() => Requirements.Check();

    [Fact]
    public async Task Up_FirstStart_PrintsApiAndGeneratedPassword_RegistersClusterAndNode_StopsCleanly()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync(withAdminPassword: false);
        await canopy.WaitForOutputAsync("Press Ctrl-C to stop");

        canopy.StdOut.ShouldContain(canopy.RootUrl);
        canopy.RootUrl.ShouldStartWith("https://");
        canopy.StdOut.ShouldContain($"Root CA:    {canopy.RootCaPin}");
        canopy.StdOut.ShouldContain("Admin user: Admin");
        var passwordFile = Path.Combine(canopy.DataDir, "root", "admin-password");
        File.Exists(passwordFile).ShouldBeTrue();
        File.GetUnixFileMode(passwordFile).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var password = File.ReadAllText(passwordFile).Trim();
        canopy.StdOut.ShouldContain(password);

        var login = await canopy.CliAsync("login", "-u", "Admin", "-p", password);
        login.ExitCode.ShouldBe(0, login.ToString());

        var clusters = await Wait.ForAsync(
            async () => (await canopy.CliAsync("clusters", "-o", "json")).StdOut,
            s => s.Contains("\"active\": true"), TimeSpan.FromSeconds(10), "the cluster to be active at the root");
        clusters.ShouldContain("cluster-1");
        var nodes = await Wait.ForAsync(
            async () => await canopy.CliAsync("nodes"),
            r => r.ExitCode == 0 && r.StdOut.Contains("e2e-node"), TimeSpan.FromSeconds(10), "the node to be registered");
        nodes.StdOut.ShouldContain("exec");

        var brokers = MosquittoPids(canopy.DataDir);
        brokers.ShouldNotBeEmpty("the cluster runs its own Mosquitto");
        (await canopy.StopAsync()).ShouldBe(0, canopy.StdErr);
        foreach (var pid in brokers)
        {
            await Wait.UntilAsync(() => Task.FromResult(!Signals.IsAlive(pid)), TimeSpan.FromSeconds(5), $"mosquitto {pid} to stop with canopy");
        }

        // The second start shows no password: it is only printed once.
        await canopy.StartAsync(withAdminPassword: false);
        await canopy.WaitForOutputAsync("Press Ctrl-C to stop");
        canopy.StdOut.ShouldNotContain(password);
    }

    [Fact]
    public async Task Up_Sigkilled_ItsMosquittoEndsToo_NextStartIsClean()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        var brokers = MosquittoPids(canopy.DataDir);
        brokers.ShouldNotBeEmpty("the cluster runs its own Mosquitto");

        // In a session of its own, a terminal's Ctrl-C reaches only canopy, which stops the broker in its turn.
        brokers.ShouldAllBe(pid => SessionOf(pid) == pid);

        Signals.Kill(canopy.Pid, Signals.SigKill);
        foreach (var pid in brokers)
        {
            // The kernel's parent-death signal, not a cleanup of ours: nothing of canopy runs any more to do one.
            await Wait.UntilAsync(() => Task.FromResult(!Signals.IsAlive(pid)), TimeSpan.FromSeconds(5), $"mosquitto {pid} to end with the killed canopy");
        }

        await canopy.StartAsync();
        MosquittoPids(canopy.DataDir).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Api_WithoutValidToken_Is401ProblemJson_AndLoginGivesTokens()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        using var anonymous = canopy.Http();
        (await anonymous.GetAsync("health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await anonymous.GetStringAsync("health/ready")).ShouldContain("\"status\":\"ready\"");

        var response = await anonymous.GetAsync("api/applications/");
        response.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        response.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");

        anonymous.DefaultRequestHeaders.Authorization = new("Bearer", "not-a-token");
        (await anonymous.GetAsync("api/applications/")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var badLogin = await anonymous.PostJsonAsync("api/auth/login", new LoginRequest("Admin", "wrong"));
        badLogin.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        var cli = await canopy.CliAsync("app", "list");
        cli.ExitCode.ShouldNotBe(0);
        cli.StdErr.ShouldContain("canopy login");
        cli.StdErr.ShouldNotContain("   at ");

        using var api = await canopy.ApiAsync();
        (await api.GetAsync("api/applications/")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Up_OnATakenPort_ExitsAtOnce_AndTheFixtureShowsWhy()
    {
        await using var canopy = new CanopyProcess();
        using var squatter = new System.Net.Sockets.TcpListener(IPAddress.Loopback, canopy.RootPort);
        squatter.Start();

        var e = await Should.ThrowAsync<InvalidOperationException>(() => canopy.StartAsync(timeout: TimeSpan.FromSeconds(60)));

        e.Message.ShouldContain("canopy up exited with");
        e.Message.ShouldContain("The root did not start");
    }

    /// <summary>Field 6 of /proc/PID/stat.</summary>
    private static int SessionOf(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static List<int> MosquittoPids(string dataDir) =>
        Directory.EnumerateDirectories("/proc")
            .Select(d => (Dir: d, Pid: int.TryParse(Path.GetFileName(d), out var p) ? p : 0))
            .Where(x => x.Pid > 0)
            .Where(x =>
            {
                try
                {
                    var cmd = File.ReadAllText(Path.Combine(x.Dir, "cmdline")).Replace('\0', ' ');
                    return cmd.Contains("mosquitto", StringComparison.Ordinal) && cmd.Contains(dataDir, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
            })
            .Select(x => x.Pid)
            .ToList();
}
