using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using Canopy.Contracts.Api;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Security;
using Canopy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Tests;

/// <summary>The root on real Kestrel: HTTPS with its own CA by default, plain HTTP only when asked, certificates renewed while it runs.</summary>
public sealed class RootTlsTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task The_root_serves_its_API_over_HTTPS_with_a_certificate_of_its_own_CA_kept_in_its_data_dir()
    {
        await using var root = await StartAsync(o => o.Listen = $"https://127.0.0.1:{FreePort.Next()}");
        var pin = root.Services.GetRequiredService<CertificateAuthority>().Pin;
        using var http = PinnedClient(root, pin, out var seen);

        (await http.GetAsync("health")).StatusCode.ShouldBe(HttpStatusCode.OK);

        seen.ShouldHaveSingleItem().Issuer.ShouldContain("Canopy root CA");
        PinnedHttp.PinOf(Path.Combine(_dir.Path, "pki")).ShouldBe(pin);
        File.GetUnixFileMode(Path.Combine(_dir.Path, "pki", "ca.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.Combine(_dir.Path, "pki", "server.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task Plain_HTTP_to_the_HTTPS_port_gets_no_answer()
    {
        var port = FreePort.Next();
        await using var root = await StartAsync(o => o.Listen = $"https://127.0.0.1:{port}");
        using var plain = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };

        await Should.ThrowAsync<HttpRequestException>(() => plain.GetAsync($"http://127.0.0.1:{port}/health"));
    }

    [Fact]
    public async Task A_client_that_pinned_another_CA_refuses_the_root_and_says_which_CA_it_saw()
    {
        await using var root = await StartAsync(o => o.Listen = $"https://127.0.0.1:{FreePort.Next()}");
        var other = CertificateAuthority.Create("another root", DateTimeOffset.UtcNow);
        var pinned = new PinnedCa(other.Pin);
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = pinned.Callback;
        using var http = new HttpClient(handler) { BaseAddress = new Uri(Url(root) + "/") };

        await Should.ThrowAsync<HttpRequestException>(() => http.GetAsync("health"));

        pinned.LastError.ShouldNotBeNull().ShouldContain(root.Services.GetRequiredService<CertificateAuthority>().Pin);
        pinned.LastError.ShouldContain(other.Pin);
    }

    [Fact]
    public async Task A_new_connection_gets_the_renewed_certificate()
    {
        // Shorter than the five minutes of clock skew a certificate is back-dated by: every check renews it.
        await using var root = await StartAsync(o =>
        {
            o.Listen = $"https://127.0.0.1:{FreePort.Next()}";
            o.CertificateLifetime = TimeSpan.FromMinutes(1);
            o.CertificateCheckInterval = TimeSpan.FromMilliseconds(200);
        });
        var pin = root.Services.GetRequiredService<CertificateAuthority>().Pin;
        using var first = PinnedClient(root, pin, out var firstSeen);
        (await first.GetAsync("health")).EnsureSuccessStatusCode();

        var renewed = await Wait.ForAsync(async () =>
        {
            using var next = PinnedClient(root, pin, out var seen);
            (await next.GetAsync("health")).EnsureSuccessStatusCode();
            return seen.Single();
        }, c => c.Thumbprint != firstSeen.Single().Thumbprint, TimeSpan.FromSeconds(20), "a new connection to get a renewed certificate");

        renewed.Issuer.ShouldBe(firstSeen.Single().Issuer);
        (await first.GetAsync("health")).StatusCode.ShouldBe(HttpStatusCode.OK, "the open connection is not cut");
    }

    [Fact]
    public async Task With_insecure_http_the_root_serves_plain_HTTP_on_loopback()
    {
        var port = FreePort.Next();
        await using var root = await StartAsync(o =>
        {
            o.Listen = $"http://127.0.0.1:{port}";
            o.InsecureHttp = true;
        });
        using var plain = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };

        (await plain.PostAsJsonAsync("api/auth/login", new LoginRequest("Admin", RootHost.AdminPassword))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("http://127.0.0.1:10000", false, false, "--insecure-http")]
    [InlineData("http://localhost:10000", false, false, "--insecure-http")]
    [InlineData("http://0.0.0.0:10000", true, false, "--insecure-http-on-network")]
    [InlineData("http://192.0.2.10:10000", true, false, "--insecure-http-on-network")]
    [InlineData("http://*:10000", true, false, "--insecure-http-on-network")]
    [InlineData("ftp://127.0.0.1:10000", true, true, "not an http(s) URL")]
    [InlineData("https://127.0.0.1:10000/api", false, false, "no path")]
    public void A_refused_listen_address_names_the_flag_or_the_fix(string listen, bool insecure, bool onNetwork, string expected)
    {
        var options = new RootOptions { DataDir = _dir.Path, Listen = listen, InsecureHttp = insecure, InsecureHttpOnNetwork = onNetwork };

        Should.Throw<ArgumentException>(options.Validate).Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("https://127.0.0.1:10000", false, false)]
    [InlineData("https://0.0.0.0:10000", false, false)]
    [InlineData("https://[::]:10000", false, false)]
    [InlineData("http://127.0.0.1:10000", true, false)]
    [InlineData("http://[::1]:10000", true, false)]
    [InlineData("http://0.0.0.0:10000", true, true)]
    public void Accepted_listen_addresses(string listen, bool insecure, bool onNetwork) =>
        new RootOptions { DataDir = _dir.Path, Listen = listen, InsecureHttp = insecure, InsecureHttpOnNetwork = onNetwork }.Validate();

    [Fact]
    public void The_default_address_is_HTTPS_on_loopback() => new RootOptions { DataDir = _dir.Path }.Listen.ShouldBe("https://127.0.0.1:10000");

    public void Dispose() => _dir.Dispose();

    private async Task<WebApplication> StartAsync(Action<RootOptions> tweak)
    {
        var options = new RootOptions { DataDir = _dir.Path, AdminPassword = RootHost.AdminPassword, ClusterJoinToken = RootHost.JoinToken };
        tweak(options);
        var app = RootApplication.Create(options, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return app;
    }

    private static string Url(WebApplication root) => root.Services.GetRequiredService<RootOptions>().Listen;

    /// <summary>A client trusting only <paramref name="pin"/>, recording the server certificates it was shown.</summary>
    private static HttpClient PinnedClient(WebApplication root, string pin, out List<X509Certificate2> seen)
    {
        var pinned = new PinnedCa(pin);
        var certificates = new List<X509Certificate2>();
        seen = certificates;
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            certificates.Add(X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData()));
            return pinned.Validate(sender, certificate, chain, errors);
        };
        return new HttpClient(handler) { BaseAddress = new Uri(Url(root) + "/"), Timeout = TimeSpan.FromSeconds(10) };
    }
}
