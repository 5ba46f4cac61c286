using System.CommandLine;
using Canopy.Cli.Client;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

public static class LogsCommand
{
    public static Command Build()
    {
        var service = new Argument<string>("service") { Description = "Id, job name, app.service or service name" };
        var instance = new Option<int?>("--instance", "-i") { Description = "Only this instance (default: all)" };
        var tail = new Option<int>("--tail", "-n") { Description = "Lines from the end", DefaultValueFactory = _ => 100 };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new lines" };
        var command = new Command("logs", "Print the stdout/stderr of a service's instances") { service, instance, tail, follow };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var found = await new ServiceCatalog(api).ServiceAsync(parse.GetValue(service)!, ct);
            var path = $"api/v1/services/{found.MicroserviceId}/logs?tail={parse.GetValue(tail)}" +
                       (parse.GetValue(instance) is { } n ? $"&instance={n}" : "");
            var logs = await api.GetAsync<LogsResponse>(path, ct);
            if (output.IsJson && !parse.GetValue(follow))
            {
                output.Json(logs);
                return ExitCodes.Success;
            }

            var printed = new Dictionary<int, string>();
            Print(logs, printed, many: logs.Instances.Count > 1);
            while (parse.GetValue(follow) && !ct.IsCancellationRequested)
            {
                await Task.Delay(1000, ct);
                Print(await api.GetAsync<LogsResponse>(path, ct), printed, many: logs.Instances.Count > 1);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Prints what is new since the last poll: the text after the last line printed before.</summary>
    private static void Print(LogsResponse logs, Dictionary<int, string> printed, bool many)
    {
        foreach (var instance in logs.Instances.OrderBy(i => i.InstanceNumber))
        {
            if (instance.Error is not null)
            {
                Console.Error.WriteLine($"[instance {instance.InstanceNumber}] {instance.Error}");
                continue;
            }

            var text = instance.Text;
            if (printed.TryGetValue(instance.InstanceNumber, out var before))
            {
                var lastLine = before.TrimEnd('\n').Split('\n')[^1];
                var at = lastLine.Length == 0 ? -1 : text.LastIndexOf(lastLine, StringComparison.Ordinal);
                text = at >= 0 ? text[(at + lastLine.Length)..].TrimStart('\n') : text;
            }

            printed[instance.InstanceNumber] = instance.Text;
            foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Console.Out.WriteLine(many ? $"[{instance.InstanceNumber}] {line}" : line);
            }
        }
    }
}
