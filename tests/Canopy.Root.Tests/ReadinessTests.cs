using System.Net;
using System.Text.Json;
using Canopy.Hosting;
using Canopy.Root.Tests.Infrastructure;

namespace Canopy.Root.Tests;

/// <summary><c>GET /health/ready</c>: open, 200 when every condition of the process holds, 503 naming those that do not.</summary>
public sealed class ReadinessTests : RootTestBase
{
    [Fact]
    public async Task Root_alone_is_ready_once_it_answers()
    {
        using var anonymous = Root.Server.CreateClient();

        var response = await anonymous.GetAsync("/health/ready");

        response.StatusCode.ShouldBe(HttpStatusCode.OK);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("status").GetString().ShouldBe("ready");
        body.GetProperty("waiting_for").GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task A_condition_that_does_not_hold_is_named_in_a_503_until_it_holds()
    {
        var linked = false;
        Root.Service<Readiness>().Require("cluster edge-1 connected to the root", () => linked);
        using var anonymous = Root.Server.CreateClient();

        var waiting = await anonymous.GetAsync("/health/ready");
        linked = true;
        var ready = await anonymous.GetAsync("/health/ready");

        waiting.StatusCode.ShouldBe(HttpStatusCode.ServiceUnavailable);
        var body = JsonDocument.Parse(await waiting.Content.ReadAsStringAsync()).RootElement;
        body.GetProperty("status").GetString().ShouldBe("starting");
        body.GetProperty("waiting_for")[0].GetString().ShouldBe("cluster edge-1 connected to the root");
        ready.StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
