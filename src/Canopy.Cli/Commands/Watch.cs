using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Spectre.Console;

namespace Canopy.Cli.Commands;

/// <summary>Follows instances until they run: a live table in a terminal, one line per change otherwise.</summary>
internal static class Watch
{
    /// <summary>
    /// How long an instance may stay unplaced, in the same state for the same reason, before the watch stops waiting for it:
    /// longer than a cluster holds an instance before it hands it back to the root (8 s), so a second cluster gets its chance.
    /// </summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(15);

    public static async Task<int> UntilRunningAsync(ApiClient api, Output output, IReadOnlyList<string> serviceIds, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var seen = new Dictionary<string, string>();
        var unplacedSince = new Dictionary<string, (string Line, DateTimeOffset Since)>();
        List<string> stuck = [];
        var interactive = !output.IsJson && !Console.IsOutputRedirected;
        List<ServiceDocument> services = [];

        async Task<bool> PollAsync()
        {
            services = [];
            foreach (var id in serviceIds)
            {
                services.Add(await api.GetAsync<ServiceDocument>($"api/service/{id}", ct));
            }

            if (!interactive)
            {
                foreach (var s in services)
                {
                    foreach (var i in s.InstanceList)
                    {
                        var key = $"{s.JobName}/{i.InstanceNumber}";
                        var line = $"{i.Status.ToWireName()}{(string.IsNullOrEmpty(i.StatusDetail) ? "" : " (" + i.StatusDetail + ")")}";
                        if (!seen.TryGetValue(key, out var old) || old != line)
                        {
                            seen[key] = line;
                            output.Info($"{s.JobName} instance {i.InstanceNumber}: {line}{(i.NodeName is null ? "" : " on " + i.NodeName)}");
                        }
                    }
                }
            }

            stuck = Stuck(services, unplacedSince);
            return services.All(s => s.InstanceList.Count > 0 && s.InstanceList.All(i => Settled(i) || stuck.Contains(Key(s, i))));
        }

        bool done;
        if (interactive)
        {
            done = false;
            await Output.Live.Live(new Table()).StartAsync(async live =>
            {
                while (!(done = await PollAsync()) && DateTimeOffset.UtcNow < deadline)
                {
                    live.UpdateTarget(InstanceCommands.BuildTable(services));
                    await Task.Delay(250, ct);
                }

                live.UpdateTarget(InstanceCommands.BuildTable(services));
            });
        }
        else
        {
            while (!(done = await PollAsync()) && DateTimeOffset.UtcNow < deadline)
            {
                await Task.Delay(250, ct);
            }
        }

        if (output.IsJson)
        {
            output.Json(services);
        }

        if (!done)
        {
            throw new CliException($"Not every instance is RUNNING after {timeout.TotalSeconds:0} s; `canopy instance list` shows why.", ExitCodes.Timeout);
        }

        if (stuck.Count > 0)
        {
            var reasons = services.SelectMany(s => s.InstanceList.Where(i => stuck.Contains(Key(s, i)))
                .Select(i => $"{Key(s, i)}: {i.Status.ToWireName()}{(string.IsNullOrEmpty(i.StatusDetail) ? "" : " (" + i.StatusDetail + ")")}"));
            throw new CliException(
                $"Not placed after {StuckAfter.TotalSeconds:0} s: {string.Join("; ", reasons)}. The instances stay requested and are " +
                "placed when a cluster can take them; `canopy instance show SERVICE N` tells the story.", ExitCodes.Failure);
        }

        var completed = services.Sum(s => s.InstanceList.Count(i => i.Status == InstanceStatus.Completed));
        output.Info(completed == 0 ? "All instances are RUNNING." : $"All instances are RUNNING or COMPLETED ({completed} completed).");
        return ExitCodes.Success;
    }

    private static bool Settled(InstanceDocument instance) => instance.Status is InstanceStatus.Running or InstanceStatus.Completed;

    private static string Key(ServiceDocument service, InstanceDocument instance) => $"{service.JobName} instance {instance.InstanceNumber}";

    /// <summary>The instances no scheduler could place for <see cref="StuckAfter"/>, in the same state for the same reason.</summary>
    private static List<string> Stuck(List<ServiceDocument> services, Dictionary<string, (string Line, DateTimeOffset Since)> unplacedSince)
    {
        var now = DateTimeOffset.UtcNow;
        var stuck = new List<string>();
        foreach (var service in services)
        {
            foreach (var instance in service.InstanceList)
            {
                var key = Key(service, instance);
                if (!instance.Status.IsNegativeScheduling())
                {
                    unplacedSince.Remove(key);
                    continue;
                }

                var line = $"{instance.Status.ToWireName()} {instance.StatusDetail}";
                if (!unplacedSince.TryGetValue(key, out var since) || since.Line != line)
                {
                    unplacedSince[key] = since = (line, now);
                }

                if (now - since.Since >= StuckAfter)
                {
                    stuck.Add(key);
                }
            }
        }

        return stuck;
    }
}
