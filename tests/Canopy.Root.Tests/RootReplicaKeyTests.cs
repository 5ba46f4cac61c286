using System.Net;
using System.Security.Cryptography.X509Certificates;
using Canopy.Root.Tests.Infrastructure;
using Canopy.Security;
using Canopy.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Tests;

/// <summary>Replicas of one root share its CA and secrets key (--replica-of), name each other to clusters, and are in each other's certificates.</summary>
public sealed class RootReplicaKeyTests : IDisposable
{
    private readonly TempDir _first = new();
    private readonly TempDir _second = new();

    [Fact]
    public async Task A_replica_started_with_replica_of_serves_with_the_first_ones_CA_and_secrets_key()
    {
        await using (var first = await StartAsync(_first.Path))
        {
            first.Services.GetRequiredService<CertificateAuthority>().Pin.ShouldNotBeNullOrEmpty();
        }

        await using var second = await StartAsync(_second.Path, o => o.ReplicaOf = _first.Path);

        second.Services.GetRequiredService<CertificateAuthority>().Pin.ShouldBe(PinnedHttp.PinOf(Path.Combine(_first.Path, "pki")));
        File.ReadAllBytes(Path.Combine(_second.Path, "secrets.key")).ShouldBe(File.ReadAllBytes(Path.Combine(_first.Path, "secrets.key")));
        File.GetUnixFileMode(Path.Combine(_second.Path, "pki", "ca.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.GetUnixFileMode(Path.Combine(_second.Path, "secrets.key")).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }

    [Fact]
    public async Task A_data_dir_with_another_CA_is_refused_naming_the_file_and_the_fix()
    {
        await (await StartAsync(_first.Path)).DisposeAsync();
        await (await StartAsync(_second.Path)).DisposeAsync();

        var error = Should.Throw<InvalidOperationException>(() => Create(_second.Path, o => o.ReplicaOf = _first.Path));

        error.Message.ShouldContain("--replica-of");
        error.Message.ShouldContain(Path.Combine(_second.Path, "pki/ca.crt"));
        error.Message.ShouldContain("empty data dir");
    }

    [Fact]
    public void A_replica_of_a_directory_without_the_files_is_refused_before_anything_is_made()
    {
        var error = Should.Throw<InvalidOperationException>(() => Create(_second.Path, o => o.ReplicaOf = _first.Path));

        error.Message.ShouldContain("pki/ca.key");
        error.Message.ShouldContain("missing");
        File.Exists(Path.Combine(_second.Path, "pki", "ca.crt")).ShouldBeFalse();
    }

    [Fact]
    public async Task Its_certificate_names_every_replicas_host()
    {
        await using var root = await StartAsync(_first.Path, o => o.ReplicaUrls = ["https://root-b.example:10000", "https://10.9.8.7:10000"]);
        var pin = root.Services.GetRequiredService<CertificateAuthority>().Pin;
        var seen = new List<X509Certificate2>();
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = (sender, certificate, chain, errors) =>
        {
            seen.Add(X509CertificateLoader.LoadCertificate(certificate!.GetRawCertData()));
            return new PinnedCa(pin).Validate(sender, certificate, chain, errors);
        };
        using var http = new HttpClient(handler) { BaseAddress = new Uri(root.Services.GetRequiredService<RootOptions>().Listen + "/") };

        (await http.GetAsync("health")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var names = seen.ShouldHaveSingleItem().Extensions.OfType<X509SubjectAlternativeNameExtension>().ShouldHaveSingleItem();
        names.EnumerateDnsNames().ShouldContain("root-b.example");
        names.EnumerateIPAddresses().ShouldContain(IPAddress.Parse("10.9.8.7"));
    }

    [Fact]
    public async Task Registering_clusters_are_told_every_replica()
    {
        // This replica (by its advertised URL) and the other one; with PostgreSQL the live replicas' own URLs join the list.
        await using var root = await RootHost.StartAsync(_first.Path, o =>
        {
            o.ReplicaUrl = "https://10.0.0.1:10000";
            o.ReplicaUrls = ["https://10.0.0.1:10000", "https://10.0.0.2:10000"];
        });

        var registered = await FakeCluster.RegisterAsync(root, "edge-1");

        registered.RootUrls.ShouldBe(["https://10.0.0.1:10000", "https://10.0.0.2:10000"]);
    }

    [Fact]
    public async Task A_root_of_one_process_names_no_replicas()
    {
        await using var root = await RootHost.StartAsync(_first.Path);

        (await FakeCluster.RegisterAsync(root, "edge-1")).RootUrls.ShouldBeNull();
    }

    [Fact]
    public void A_replica_url_that_is_not_a_url_is_refused() =>
        Should.Throw<ArgumentException>(() => new RootOptions { DataDir = _first.Path, ReplicaUrls = ["root-b:10000"] }.Validate())
            .Message.ShouldContain("ReplicaUrls: 'root-b:10000'");

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }

    private static WebApplication Create(string dataDir, Action<RootOptions>? tweak = null)
    {
        var options = new RootOptions
        {
            DataDir = dataDir,
            AdminPassword = RootHost.AdminPassword,
            ClusterJoinToken = RootHost.JoinToken,
            Listen = $"https://127.0.0.1:{FreePort.Next()}",
        };
        tweak?.Invoke(options);
        return RootApplication.Create(options, b => b.Logging.SetMinimumLevel(LogLevel.Warning));
    }

    private static async Task<WebApplication> StartAsync(string dataDir, Action<RootOptions>? tweak = null)
    {
        var app = Create(dataDir, tweak);
        await app.StartAsync();
        return app;
    }
}
