using Canopy.Cluster.Tests.Support;
using Canopy.Contracts.Link;
using Canopy.Security;
using Microsoft.Extensions.DependencyInjection;

namespace Canopy.Cluster.Tests.RootLink;

/// <summary>The cluster verifies its root by the CA pin of its join token before it sends its token, name or anything else.</summary>
public sealed class RootTrustTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _pki = Directory.CreateTempSubdirectory("canopy-root-pki-").FullName;

    [Fact]
    public async Task A_cluster_registers_and_links_over_https_when_its_token_carries_the_roots_pin()
    {
        var ca = CertificateAuthority.LoadOrCreate(_pki, "test root");
        await using var root = await FakeRoot.StartAsync(new ServerCertificate(ca, _pki, "fake-root", []));

        await using var cluster = await TestCluster.StartAsync(output, root, o => o.RootJoinToken = JoinToken.Format(FakeRoot.JoinToken, ca.Pin));

        root.Url.ShouldStartWith("https://");
        root.Registrations.Snapshot().ShouldHaveSingleItem().JoinToken.ShouldBe(FakeRoot.JoinToken, "only the secret is sent; the pin is the cluster's");
        (await root.WaitForAsync(LinkMessageTypes.Hello)).Type.ShouldBe(LinkMessageTypes.Hello);
    }

    [Fact]
    public async Task A_cluster_with_a_token_for_another_roots_CA_is_refused_before_it_sends_its_name()
    {
        var ca = CertificateAuthority.LoadOrCreate(_pki, "test root");
        var otherRoot = CertificateAuthority.Create("another root", DateTimeOffset.UtcNow);
        await using var root = await FakeRoot.StartAsync(new ServerCertificate(ca, _pki, "fake-root", []));
        var logs = new RecordingLoggerProvider();

        await using var cluster = await TestCluster.StartAsync(
            output, root, o => o.RootJoinToken = JoinToken.Format(FakeRoot.JoinToken, otherRoot.Pin), waitForRoot: false, logs: logs);

        var refusal = await logs.Lines.WaitForAsync(l => l.Contains("Refused the root", StringComparison.Ordinal), "the cluster to refuse the root");
        refusal.ShouldContain(ca.Pin);
        refusal.ShouldContain(otherRoot.Pin);
        refusal.ShouldContain("before sending");
        root.Requests.ShouldBe(0, "the handshake failed before any request");
        root.Registrations.Snapshot().ShouldBeEmpty();
        root.LinkConnections.ShouldBe(0);
        cluster.Services.GetRequiredService<ClusterReadiness>().Registered.IsCompleted.ShouldBeFalse();
    }

    [Fact]
    public async Task An_https_root_without_a_pin_in_the_token_or_the_options_is_refused_at_start()
    {
        await using var root = await FakeRoot.StartAsync(new ServerCertificate(CertificateAuthority.LoadOrCreate(_pki, "test root"), _pki, "fake-root", []));

        var error = await Should.ThrowAsync<ArgumentException>(() => TestCluster.StartAsync(output, root, waitForRoot: false));

        error.Message.ShouldContain("RootJoinToken");
        error.Message.ShouldContain("RootCaPin");
        root.Requests.ShouldBe(0);
    }

    [Fact]
    public async Task A_pin_in_the_options_verifies_a_root_whose_token_is_a_bare_secret()
    {
        var ca = CertificateAuthority.LoadOrCreate(_pki, "test root");
        await using var root = await FakeRoot.StartAsync(new ServerCertificate(ca, _pki, "fake-root", []));

        await using var cluster = await TestCluster.StartAsync(output, root, o => o.RootCaPin = ca.Pin);

        root.Registrations.Snapshot().ShouldHaveSingleItem().ClusterName.ShouldBe("test-cluster");
    }

    public void Dispose() => Directory.Delete(_pki, recursive: true);
}
