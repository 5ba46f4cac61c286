using Canopy.Cluster.RootLink;

namespace Canopy.Cluster.Tests.RootLink;

public sealed class LeaderHintTests
{
    [Theory]
    [InlineData("https://10.0.0.2:10000", "https://10.0.0.2:10000")]
    [InlineData("https://10.0.0.2:10000/", "https://10.0.0.2:10000")]
    [InlineData("wss://10.0.0.2:10000/api/v1/clusters/c1/link", "https://10.0.0.2:10000")]
    [InlineData("ws://root-b:10000/api/v1/clusters/c1/link?x=1", "http://root-b:10000")]
    [InlineData("https://lb.example/canopy/api/v1/clusters/register", "https://lb.example/canopy")]
    [InlineData("/api/v1/clusters/c1/link", "https://10.0.0.1:10000")]
    public void The_leader_named_in_a_location_is_read_as_the_roots_base_url(string location, string expected) =>
        LeaderHint.BaseUrl(location, "https://10.0.0.1:10000/api/v1/clusters/register").ShouldBe(expected);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("mailto:admin@example.org")]
    public void Anything_else_is_no_hint(string? location) =>
        LeaderHint.BaseUrl(location, "https://10.0.0.1:10000/").ShouldBeNull();

    [Fact]
    public void The_problem_bodys_leader_field_counts_when_there_is_no_location()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.MisdirectedRequest)
        {
            RequestMessage = new HttpRequestMessage(HttpMethod.Post, "https://10.0.0.1:10000/api/v1/clusters/register"),
        };

        LeaderHint.FromResponse(response, """{"status":421,"leader_url":"https://10.0.0.3:10000","term":4}""").ShouldBe("https://10.0.0.3:10000");
        LeaderHint.FromResponse(response, """{"status":421,"leader":"https://10.0.0.4:10000"}""").ShouldBe("https://10.0.0.4:10000");
        LeaderHint.FromResponse(response, "not json").ShouldBeNull();
    }

    [Fact]
    public void The_canopy_leader_header_wins()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.MisdirectedRequest);
        response.Headers.Add("Canopy-Leader", "https://10.0.0.5:10000");

        LeaderHint.FromResponse(response, """{"leader_url":"https://10.0.0.3:10000"}""").ShouldBe("https://10.0.0.5:10000");
        LeaderHint.FromHeaders(response.StatusCode, new Dictionary<string, IEnumerable<string>> { ["Canopy-Leader"] = ["https://10.0.0.5:10000"] }, "")
            .ShouldBe("https://10.0.0.5:10000");
    }

    [Fact]
    public void A_refusal_that_is_not_about_leadership_names_no_leader()
    {
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Unauthorized);
        response.Headers.Location = new Uri("https://10.0.0.3:10000");

        LeaderHint.FromResponse(response, """{"leader":"https://10.0.0.3:10000"}""").ShouldBeNull();
    }
}
