using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// Issue 13's event stream against `canopy up` as a real process: `canopy events -f` prints, as they happen, the DEAD of an exec
/// instance whose process was killed and its restart; a second node that is stopped shows as a node gone inactive; Ctrl-C ends the
/// stream cleanly; `canopy events` prints the same story as a table.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class EventsTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly CanopyProcess _canopy = new();
    private HttpClient _api = null!;

    public EventsTests() => Requirements.Check();

    public async Task InitializeAsync()
    {
        await _canopy.StartAsync();
        var login = await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword);
        login.ExitCode.ShouldBe(0, login.ToString());
        _api = await _canopy.ApiAsync();
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _canopy.DisposeAsync();
    }

    [Fact]
    public async Task A_killed_instance_shows_DEAD_and_its_restart_and_a_stopped_node_shows_inactive()
    {
        await using var follow = CanopyCli.Start(_canopy.CliConfigPath, _canopy.RootUrl, ["events", "-f", "--output", "json"]);
        var port = FreePort.Block(1);
        var deploy = await _canopy.CliAsync("app", "deploy", Slas.ExecWeb(_canopy.DataDir, port, "watched"), "--watch", "--timeout", "30");
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var service = await _api.ServiceByNameAsync("watched");
        await follow.NextLineAsync(l => Of(l) is { Kind: EventKinds.Instance, Status: "RUNNING" } e && e.ServiceId == service.MicroserviceId,
            Timeout, "the instance RUNNING");

        Signals.KillWorkload(service.InstanceList.ShouldHaveSingleItem().Pid!.Value);

        var dead = Of(await follow.NextLineAsync(l => Of(l) is { Status: "DEAD" } e && e.ServiceId == service.MicroserviceId, Timeout, "DEAD"))!;
        dead.Reason.ShouldContain("restarting");
        (dead.NodeName, dead.ClusterName, dead.ApplicationName).ShouldBe(("e2e-node", "cluster-1", "watched"));
        await follow.NextLineAsync(l => Of(l) is { Status: "RUNNING" } e && e.ServiceId == service.MicroserviceId && e.Id > dead.Id,
            Timeout, "RUNNING again after the restart");

        await using (var worker = new NodeProcess(_canopy, "stopped-worker"))
        {
            worker.Start("--no-containers");
            await follow.NextLineAsync(l => Of(l) is { Kind: EventKinds.Node, Status: "active", NodeName: "stopped-worker" }, Timeout,
                $"the worker active\n{worker.Output}");
            await worker.KillAsync(Signals.SigTerm);
        }

        var inactive = Of(await follow.NextLineAsync(l => Of(l) is { Kind: EventKinds.Node, Status: "inactive", NodeName: "stopped-worker" },
            Timeout, "the stopped worker inactive"))!;
        inactive.ClusterName.ShouldBe("cluster-1");
        inactive.Reason.ShouldNotBeNullOrWhiteSpace();

        var ended = await follow.InterruptAsync(TimeSpan.FromSeconds(10));
        ended.ExitCode.ShouldBe(0, ended.ToString());
        ended.StdErr.ShouldNotContain("Exception");

        var table = await _canopy.CliAsync("events", "--service", "watched.e2e.web.e2e");
        table.ExitCode.ShouldBe(0, table.ToString());
        var lines = table.StdOut.Split('\n');
        var deadLine = Array.FindIndex(lines, l => l.Contains("DEAD") && l.Contains("watched.web #0 on e2e-node"));
        deadLine.ShouldBeGreaterThan(0, table.StdOut);
        lines.Skip(deadLine + 1).ShouldContain(l => l.Contains("RUNNING"), table.StdOut);
        var nodes = await _canopy.CliAsync("events", "--kind", "node", "--node", "stopped-worker");
        nodes.StdOut.ShouldContain("inactive", customMessage: nodes.ToString());
    }

    /// <summary>An event line of <c>canopy events -f --output json</c>; null for anything else.</summary>
    private static EventDocument? Of(string line) =>
        line.StartsWith('{') ? CanopyJson.Deserialize<EventDocument>(line) : null;
}
