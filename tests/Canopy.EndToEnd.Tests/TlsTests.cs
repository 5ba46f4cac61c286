using System.Net;
using System.Security.Cryptography.X509Certificates;
using Canopy.Security;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// The root on HTTPS under `canopy up`: the CLI pins its CA (first use needs the fingerprint without a terminal, asks on one, a
/// different CA is refused), and the root's certificate rotates without cutting the cluster's open link.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class TlsTests : IDisposable
{
    private readonly string _configs = Directory.CreateTempSubdirectory("canopy-e2e-cli-").FullName;

    public TlsTests() => Requirements.Check();

    [Fact]
    public async Task The_CLI_pins_the_roots_CA_on_first_login_and_refuses_another_one()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        var pin = canopy.RootCaPin;
        var fresh = Path.Combine(_configs, "fresh.json");
        var other = CertificateAuthority.Create("another root", DateTimeOffset.UtcNow).Pin;

        var unpinned = await CliAsync(canopy, fresh, "login", "-p", CanopyProcess.AdminPassword);
        var pinned = await CliAsync(canopy, fresh, "login", "-p", CanopyProcess.AdminPassword, "--ca-fingerprint", pin);
        var later = await CliAsync(canopy, fresh, "clusters");
        var wrong = await CliAsync(canopy, Path.Combine(_configs, "wrong.json"), "login", "-p", CanopyProcess.AdminPassword, "--ca-fingerprint", other);
        var shown = await canopy.CliAsync("ca", "show", "--data-dir", canopy.DataDir);

        unpinned.ExitCode.ShouldNotBe(0);
        unpinned.StdErr.ShouldContain(pin);
        unpinned.StdErr.ShouldContain("--ca-fingerprint");
        pinned.ExitCode.ShouldBe(0, pinned.ToString());
        File.ReadAllText(fresh).ShouldContain(pin);
        later.ExitCode.ShouldBe(0, later.ToString());
        later.StdOut.ShouldContain("cluster-1");
        wrong.ExitCode.ShouldNotBe(0);
        wrong.StdErr.ShouldContain(pin);
        wrong.StdErr.ShouldContain(other);
        wrong.StdErr.ShouldContain("Nothing was sent");
        File.Exists(Path.Combine(_configs, "wrong.json")).ShouldBeFalse("nothing is remembered of a refused server");
        shown.StdOut.Trim().ShouldBe(pin);
    }

    [Fact]
    public async Task On_a_terminal_the_first_login_shows_the_fingerprint_and_pins_it_only_when_confirmed()
    {
        await using var canopy = new CanopyProcess();
        await canopy.StartAsync();
        var pin = canopy.RootCaPin;
        var (yes, no, empty) = (Path.Combine(_configs, "yes.json"), Path.Combine(_configs, "no.json"), Path.Combine(_configs, "empty.json"));

        var confirmed = await TerminalAsync(canopy, yes, "y\n", "login", "-p", CanopyProcess.AdminPassword);
        var later = await CliAsync(canopy, yes, "clusters");
        var refused = await TerminalAsync(canopy, no, "n\n", "login", "-p", CanopyProcess.AdminPassword);
        var unanswered = await TerminalAsync(canopy, empty, "\n", "login", "-p", CanopyProcess.AdminPassword);

        confirmed.ExitCode.ShouldBe(0, confirmed.ToString());
        confirmed.StdOut.ShouldContain(pin);
        confirmed.StdOut.ShouldContain("Trust this server and remember its fingerprint?");
        confirmed.StdOut.ShouldContain("Logged in");
        File.ReadAllText(yes).ShouldContain(pin);
        later.ExitCode.ShouldBe(0, later.ToString());
        later.StdOut.ShouldContain("cluster-1");
        foreach (var (answer, config) in new[] { (refused, no), (unanswered, empty) })
        {
            answer.ExitCode.ShouldNotBe(0, answer.ToString());
            answer.StdOut.ShouldContain(pin);
            answer.StdOut.ShouldContain("the server's fingerprint was not confirmed");
            File.Exists(config).ShouldBeFalse("nothing is remembered of a server not confirmed");
        }
    }

    [Fact]
    public async Task The_roots_certificate_rotates_for_new_connections_while_the_clusters_link_stays_up()
    {
        await using var canopy = new CanopyProcess();

        // Shorter than the five minutes a certificate is back-dated by for clock skew: every check renews it.
        await canopy.StartAsync(extraArgs: ["--log-level", "Information"], environment: new Dictionary<string, string>
        {
            ["CANOPY_Root__CertificateLifetime"] = "00:01:00",
            ["CANOPY_Root__CertificateCheckInterval"] = "00:00:00.500",
        });
        var first = await CertificateOfNewConnectionAsync(canopy);

        var renewed = await Wait.ForAsync(() => CertificateOfNewConnectionAsync(canopy), c => c.Thumbprint != first.Thumbprint,
            TimeSpan.FromSeconds(20), "a new connection to get a renewed certificate");
        await canopy.WaitForOutputAsync("Renewed the TLS certificate of canopy-root");
        using var api = await canopy.ApiAsync();
        (await api.GetAsync("api/clusters/active")).StatusCode.ShouldBe(HttpStatusCode.OK);

        renewed.Issuer.ShouldBe(first.Issuer);
        Lines(canopy.StdOut, "Root link up").ShouldBe(1, "the cluster's link, opened before the renewals, was never cut");
        Lines(canopy.StdOut, "Root link ").ShouldBe(1, canopy.StdOut);
    }

    public void Dispose() => Directory.Delete(_configs, recursive: true);

    private static Task<CliResult> CliAsync(CanopyProcess canopy, string config, params string[] args) =>
        CanopyCli.RunAsync(config, canopy.RootUrl, args, TimeSpan.FromSeconds(60));

    private static Task<CliResult> TerminalAsync(CanopyProcess canopy, string config, string typed, params string[] args) =>
        CanopyCli.RunInTerminalAsync(config, canopy.RootUrl, args, typed, TimeSpan.FromSeconds(60));

    private static int Lines(string output, string text) => output.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal));

    private static async Task<X509Certificate2> CertificateOfNewConnectionAsync(CanopyProcess canopy)
    {
        X509Certificate2? seen = null;
        var pinned = new PinnedCa(canopy.RootCaPin);
        using var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            seen = X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData());
            return pinned.Validate(sender, certificate, chain, errors);
        };
        using var http = new HttpClient(handler);
        (await http.GetAsync(canopy.RootUrl + "/health")).EnsureSuccessStatusCode();
        return seen!;
    }
}
