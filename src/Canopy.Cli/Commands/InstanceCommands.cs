using System.CommandLine;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;
using Canopy.Core.States;
using Spectre.Console;

namespace Canopy.Cli.Commands;

public static class InstanceCommands
{
    private static readonly string[] Headers = ["SERVICE", "#", "STATUS", "NODE", "CLUSTER", "IP", "CPU %", "MEMORY", "RESTARTS", "PORT", "DETAIL"];

    public static Command Build()
    {
        var instance = new Command("instance", "Instances of services: where each runs, its status, cpu and memory");
        instance.Subcommands.Add(List());
        instance.Subcommands.Add(InstanceShowCommand.Build());
        instance.Subcommands.Add(Delete());
        return instance;
    }

    internal static IEnumerable<IReadOnlyList<string>> Rows(IEnumerable<ServiceDocument> services) =>
        services.SelectMany(s => s.InstanceList.OrderBy(i => i.InstanceNumber).Select(i => (IReadOnlyList<string>)
        [
            s.JobName, i.InstanceNumber.ToString(), i.Status.ToWireName(), Format.OrDash(i.NodeName), Format.OrDash(i.ClusterName),
            Format.OrDash(i.InstanceIp), Format.Number(i.Cpu), Format.Mb(i.Memory), i.RestartCount.ToString(),
            Format.OrDash(i.HostPort?.ToString()), Format.OrDash(i.StatusDetail),
        ]));

    internal static void WriteTable(Output output, IEnumerable<ServiceDocument> services) => output.Table(Headers, Rows(services));

    internal static Table BuildTable(IEnumerable<ServiceDocument> services)
    {
        var table = new Table().Border(TableBorder.Simple);
        foreach (var h in Headers)
        {
            table.AddColumn(h);
        }

        foreach (var row in Rows(services))
        {
            table.AddRow(row.Select(Markup.Escape).ToArray());
        }

        return table;
    }

    private static Command List()
    {
        var service = new Option<string?>("--service") { Description = "Only this service" };
        var command = new Command("list", "List every instance with status, node, cluster, instance IP, cpu % and memory") { service };
        command.Aliases.Add("ls");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var catalog = new ServiceCatalog(api);
            var services = parse.GetValue(service) is { } s ? [await catalog.ServiceAsync(s, ct)] : await catalog.ServicesAsync(ct);
            if (output.IsJson)
            {
                output.Json(services.SelectMany(x => x.InstanceList.Select(i => new { service_id = x.MicroserviceId, job_name = x.JobName, instance = i })));
            }
            else
            {
                WriteTable(output, services);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var service = new Argument<string>("service") { Description = "Id, job name, app.service or service name" };
        var number = new Argument<int>("instance") { Description = "Instance number" };
        var command = new Command("delete", "Remove one instance of a service") { service, number };
        command.Aliases.Add("rm");
        command.Handle(async (parse, ct) =>
        {
            using var api = GlobalOptions.ClientOf(parse);
            var found = await new ServiceCatalog(api).ServiceAsync(parse.GetValue(service)!, ct);
            await api.DeleteAsync($"api/service/{found.MicroserviceId}/instance/{parse.GetValue(number)}", ct);
            GlobalOptions.OutputOf(parse).Info($"Instance {parse.GetValue(number)} of {found.JobName} is being removed.");
            return ExitCodes.Success;
        });
        return command;
    }
}
