namespace Canopy.Cluster.Tests.Tls;

/// <summary>The cluster API's address follows the root's rules (one <see cref="Hosting.Tls.ApiListener"/>): plain HTTP asked for once on loopback, twice elsewhere.</summary>
public sealed class ClusterListenTests
{
    [Theory]
    [InlineData("http://127.0.0.1:10100", false, false, "--insecure-http (CANOPY_Cluster__InsecureHttp=true)")]
    [InlineData("http://0.0.0.0:10100", true, false, "--insecure-http-on-network too (CANOPY_Cluster__InsecureHttpOnNetwork=true)")]
    [InlineData("http://192.0.2.10:10100", true, false, "--insecure-http-on-network")]
    [InlineData("tcp://127.0.0.1:10100", true, true, "not an http(s) URL such as https://127.0.0.1:10100")]
    public void A_refused_listen_address_names_the_flag_or_the_fix(string listen, bool insecure, bool onNetwork, string expected) =>
        Options(listen, insecure, onNetwork).Validate().ShouldContain(p => p.Contains(expected, StringComparison.Ordinal));

    [Theory]
    [InlineData("https://127.0.0.1:10100", false, false)]
    [InlineData("https://0.0.0.0:10100", false, false)]
    [InlineData("http://localhost:10100", true, false)]
    [InlineData("http://[::1]:10100", true, false)]
    [InlineData("http://0.0.0.0:10100", true, true)]
    public void Accepted_listen_addresses(string listen, bool insecure, bool onNetwork) =>
        Options(listen, insecure, onNetwork).Validate().ShouldNotContain(p => p.StartsWith("Listen", StringComparison.Ordinal));

    private static ClusterOptions Options(string listen, bool insecure, bool onNetwork) =>
        new() { DataDir = "/tmp/unused", Name = "c1", Listen = listen, InsecureHttp = insecure, InsecureHttpOnNetwork = onNetwork };
}
