using System.Net;
using System.Text;
using System.Text.Json;
using Canopy.Cli.Client;
using Canopy.Cli.Commands;
using Canopy.Testing;

namespace Canopy.Cli.Tests.Client;

/// <summary>Several root replicas given to the CLI: the first that answers serves, a dead one is passed over.</summary>
public sealed class ReplicaServersTests
{
    [Fact]
    public void Server_is_repeatable_and_takes_comma_lists()
    {
        var parse = CanopyCommand.Build().Parse(["app", "list", "--server", "https://a:1,https://b:1/", "-s", "https://c:1", "--server", "https://a:1"]);
        parse.Errors.ShouldBeEmpty();
        ApiClient.Split(GlobalOptions.ServerOf(parse)!).ShouldBe(["https://a:1", "https://b:1", "https://c:1"]);
        GlobalOptions.ServerOf(CanopyCommand.Build().Parse(["app", "list"])).ShouldBeNull();
    }

    [Fact]
    public async Task A_replica_that_is_down_is_passed_over_for_the_next()
    {
        var port = FreePort.Next();
        using var live = Listen(port);
        var answering = AnswerOnceAsync(live);

        using var api = new ApiClient($"http://127.0.0.1:1,http://127.0.0.1:{port}", "token", new CliConfig());
        var health = await api.GetAsync<JsonElement>("health", CancellationToken.None);

        health.GetProperty("status").GetString().ShouldBe("ok");
        api.Server.ShouldBe($"http://127.0.0.1:{port}");
        await answering;
    }

    [Fact]
    public async Task When_no_replica_answers_the_message_names_them_all()
    {
        using var api = new ApiClient("http://127.0.0.1:1,http://127.0.0.1:2", "token", new CliConfig());
        var error = await Should.ThrowAsync<CliException>(() => api.GetAsync<JsonElement>("health", CancellationToken.None));
        error.ExitCode.ShouldBe(ExitCodes.ServerUnreachable);
        error.Message.ShouldContain("http://127.0.0.1:1, http://127.0.0.1:2");
    }

    [Fact]
    public async Task A_followers_421_is_followed_to_the_leader_it_names()
    {
        var (followerPort, leaderPort) = (FreePort.Next(), FreePort.Next());
        using var follower = Listen(followerPort);
        using var leader = Listen(leaderPort);
        var refusing = RefuseOnceAsync(follower, $"http://127.0.0.1:{leaderPort}");
        var answering = AnswerOnceAsync(leader);

        using var api = new ApiClient($"http://127.0.0.1:{followerPort}", "token", new CliConfig());
        var nodes = await api.GetAsync<JsonElement>("api/v1/nodes", CancellationToken.None);

        nodes.GetProperty("status").GetString().ShouldBe("ok");
        api.Server.ShouldBe($"http://127.0.0.1:{leaderPort}");
        await Task.WhenAll(refusing, answering);
    }

    private static HttpListener Listen(int port)
    {
        var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        return listener;
    }

    private static async Task RefuseOnceAsync(HttpListener listener, string leaderUrl)
    {
        var context = await listener.GetContextAsync();
        context.Response.StatusCode = 421;
        context.Response.Headers["Canopy-Leader"] = leaderUrl;
        context.Response.ContentType = "application/problem+json";
        await context.Response.OutputStream.WriteAsync(Encoding.UTF8.GetBytes($$"""{"status":421,"leader_url":"{{leaderUrl}}"}"""));
        context.Response.Close();
    }

    private static async Task AnswerOnceAsync(HttpListener listener)
    {
        var context = await listener.GetContextAsync();
        var body = Encoding.UTF8.GetBytes("""{"status":"ok"}""");
        context.Response.ContentType = "application/json";
        await context.Response.OutputStream.WriteAsync(body);
        context.Response.Close();
    }
}
