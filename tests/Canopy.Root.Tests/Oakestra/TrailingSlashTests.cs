using System.Net;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests.Oakestra;

/// <summary>Oakestra's clients write some paths with the trailing slash and some without (the oak CLI: /api/applications).</summary>
public sealed class TrailingSlashTests : RootTestBase
{
    [Theory]
    [InlineData("/api/applications")]
    [InlineData("/api/services")]
    [InlineData("/api/clusters")]
    [InlineData("/api/clusters/active")]
    [InlineData("/api/organization")]
    [InlineData("/api/users")]
    [InlineData("/api/user/Admin")]
    [InlineData("/api/permission/Admin")]
    public async Task A_path_answers_with_and_without_the_trailing_slash(string path)
    {
        (await Root.Client.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.OK, path);
        (await Root.Client.GetAsync(path + "/")).StatusCode.ShouldBe(HttpStatusCode.OK, path + "/");
    }

    [Fact]
    public async Task Creating_an_application_works_without_the_trailing_slash()
    {
        (await Root.PostJsonAsync("/api/application", Descriptors.ExecHttpd)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
