using Canopy.Contracts;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Canopy.Testing;
using Xunit.Abstractions;

namespace Canopy.EndToEnd.Tests;

/// <summary>
/// A worker's node engine frozen (SIGSTOP): its TCP connection stays open and the kernel still answers for it, but it sends no
/// MQTT keep-alive, so only the keep-alive timeout (the cluster's watch of its broker's sockets, or the broker's own check), then
/// the last will, can tell the cluster. Its instance runs on another node; thawed (SIGCONT), it reconnects (the watch reset its
/// connection), is active again and drops its duplicate. The link cut between network
/// namespaces is tests/Canopy.EndToEnd.Tests/Topology/TopologyWorkerFailureTests; the time it takes is a benchmark figure
/// (scripts/bench.sh wire), not asserted here.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class NodeFreezeTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Marker = "sleep 3599";
    private readonly CanopyProcess _canopy = new();
    private readonly List<NodeProcess> _workers = [];

    public async Task InitializeAsync()
    {
        // Round robin: best fit would keep choosing one of three nodes that report the same machine's resources.
        await _canopy.StartAsync(extraArgs: ["--no-containers", "--scheduler", "round-robin"]);
        (await _canopy.CliAsync("login", "-p", CanopyProcess.AdminPassword)).ExitCode.ShouldBe(0);
        foreach (var name in new[] { "freeze-a", "freeze-b" })
        {
            var worker = new NodeProcess(_canopy, name);
            worker.Start("--no-containers");
            _workers.Add(worker);
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            Signals.Kill(worker.Pid, Signals.SigCont);
            await worker.DisposeAsync();
        }

        await _canopy.DisposeAsync();
    }

    [Fact]
    public async Task A_frozen_node_is_inactive_its_instance_runs_elsewhere_and_thawed_it_drops_the_duplicate()
    {
        using var api = await _canopy.ApiAsync();
        await Wait.UntilAsync(async () => (await NodesAsync()).Count(n => n.Active) == 3, TimeSpan.FromSeconds(60), "the embedded node and 2 workers active");
        var deploy = await _canopy.CliAsync("app", "deploy", Slas.Write(_canopy.DataDir, "frozen.json", Sleeper));
        deploy.ExitCode.ShouldBe(0, deploy.ToString());
        var service = await api.ServiceByNameAsync("frozen");

        // Instances until one runs on a worker this test may freeze (not the node inside `canopy up`).
        var (number, worker) = await PlaceOnAWorkerAsync(api, service.MicroserviceId);
        output.WriteLine($"instance {number} runs on {worker.Name}; freezing it");

        Signals.Kill(worker.Pid, Signals.SigStop).ShouldBe(0);
        var moved = await Wait.ForAsync(() => api.ServiceByNameAsync("frozen"),
            s => s.InstanceList.Any(i => i.InstanceNumber == number && i.Status == InstanceStatus.Running && i.NodeName != worker.Name),
            TimeSpan.FromSeconds(60), $"instance {number} RUNNING on another node while {worker.Name} is frozen");
        output.WriteLine($"instance {number} RUNNING on {moved.InstanceList.Single(i => i.InstanceNumber == number).NodeName}");
        (await NodesAsync()).Single(n => n.Name == worker.Name).Active.ShouldBeFalse("the frozen node is inactive");

        Signals.Kill(worker.Pid, Signals.SigCont).ShouldBe(0);
        var instances = moved.InstanceList.Count;
        await Wait.UntilAsync(async () => (await NodesAsync()).Single(n => n.Name == worker.Name).Active, TimeSpan.FromSeconds(60),
            $"{worker.Name} active again after SIGCONT");
        try
        {
            await Wait.UntilAsync(() => Task.FromResult(Sleepers().Count == instances),
                TimeSpan.FromSeconds(60), $"{instances} sleeper process(es), the thawed node's duplicate gone");
        }
        finally
        {
            foreach (var pid in Sleepers())
            {
                output.WriteLine($"{pid}: {ReadCommandLine(pid)}");
            }

            output.WriteLine(worker.Output.Split('\n').TakeLast(40).Aggregate("", (a, l) => a + l + "\n"));
        }
    }

    private async Task<(int Number, NodeProcess Worker)> PlaceOnAWorkerAsync(HttpClient api, string serviceId)
    {
        var count = (await api.ServiceByNameAsync("frozen")).InstanceList.Count;
        for (var added = 0; added < 6; added++)
        {
            var service = await Wait.ForAsync(() => api.ServiceByNameAsync("frozen"),
                s => s.InstanceList.Count == count && s.InstanceList.All(x => x.Status == InstanceStatus.Running), TimeSpan.FromSeconds(30),
                $"{count} instance(s) RUNNING");
            var onWorker = service.InstanceList.FirstOrDefault(x => _workers.Any(w => w.Name == x.NodeName));
            if (onWorker is not null)
            {
                return (onWorker.InstanceNumber, _workers.Single(w => w.Name == onWorker.NodeName));
            }

            (await api.PostAsync($"api/service/{serviceId}/instance", null)).EnsureSuccessStatusCode();
            count++;
        }

        throw new InvalidOperationException("all instances went to the embedded node; the scheduler never chose a worker");
    }

    /// <summary>The instances' own processes (the exec runtime's wrapper shell carries the command in its arguments too).</summary>
    private static List<int> Sleepers() =>
        Canopy.Testing.Topology.PidsWithCommandLine(Marker).Where(p => ReadCommandLine(p).StartsWith(Marker, StringComparison.Ordinal)).ToList();

    private static string ReadCommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ');
        }
        catch (IOException)
        {
            return "";
        }
    }

    private async Task<List<NodeDocument>> NodesAsync() =>
        CanopyJson.Deserialize<List<NodeDocument>>((await _canopy.CliAsync("nodes", "-o", "json")).StdOut)!;

    private const string Sleeper = $$"""
    {"sla_version":"v2.0","customerID":"Admin","applications":[{"application_name":"frozen","application_namespace":"e2e",
     "microservices":[{"microservice_name":"sleeper","microservice_namespace":"e2e","virtualization":"exec",
      "cmd":["sh","-c","exec {{Marker}}"],"memory":16,"vcpus":0.1}]}]}
    """;
}
