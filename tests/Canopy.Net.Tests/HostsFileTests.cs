using static Canopy.Net.Tests.Tables;

namespace Canopy.Net.Tests;

public class HostsFileTests
{
    [Fact]
    public void Lists_the_services_of_the_application_by_their_three_names()
    {
        var table = Table(
            Service("server", "10.30.30.30", "10.30.30.31"),
            Service("cache", null, "10.30.0.9"),
            Service("db", null, null),
            Service("other", "10.30.0.50") with { AppName = "another" });

        HostsFile.Render(table, "app", "default").ShouldBe(
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" +
            "10.30.0.9\tcache cache.app app.default.cache.default\n" +
            "10.30.30.30\tserver server.app app.default.server.default\n");
    }

    [Fact]
    public void Same_table_same_file_and_odd_names_are_left_out()
    {
        var table = Table(Service("b", "10.30.0.2"), Service("a", "10.30.0.1"), Service("a b", "10.30.0.3"), Service("localhost", "10.30.0.4"));
        var reversed = table with { Services = table.Services.Reverse().ToList() };

        var text = HostsFile.Render(table, "app", "default");

        text.ShouldBe(HostsFile.Render(reversed, "app", "default"));
        text.ShouldNotContain("a b");
        text.ShouldContain("10.30.0.4\tlocalhost.app app.default.localhost.default\n");
        text.IndexOf("10.30.0.1", StringComparison.Ordinal).ShouldBeLessThan(text.IndexOf("10.30.0.2", StringComparison.Ordinal));
    }
}
