using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Spectre.Console;

namespace Canopy.Cli.Commands;

/// <summary>Follows instances until they run: a live table in a terminal, one line per change otherwise.</summary>
internal static class Watch
{
    public static async Task<int> UntilRunningAsync(ApiClient api, Output output, IReadOnlyList<string> serviceIds, TimeSpan timeout, CancellationToken ct)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        var seen = new Dictionary<string, string>();
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

            return services.All(s => s.InstanceList.Count > 0 && s.InstanceList.All(i => i.Status is InstanceStatus.Running or InstanceStatus.Completed));
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

        output.Info("All instances are RUNNING.");
        return ExitCodes.Success;
    }
}
