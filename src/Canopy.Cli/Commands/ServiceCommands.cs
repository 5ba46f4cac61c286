using System.CommandLine;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Cli.Commands;

public static class ServiceCommands
{
    public static Command Build()
    {
        var service = new Command("service", "Services (the microservices of an application): list, show, scale, delete");
        service.Subcommands.Add(List());
        service.Subcommands.Add(Show());
        service.Subcommands.Add(Scale());
        service.Subcommands.Add(Delete());
        return service;
    }

    internal static void WriteTable(Output output, IEnumerable<ServiceDocument> services) =>
        output.Table(["ID", "SERVICE", "STATUS", "RUNNING", "VIRT", "PORT", "CPU %", "MEMORY"],
            services.Select(s => (IReadOnlyList<string>)
            [
                s.MicroserviceId, s.JobName, s.Status,
                $"{s.InstanceList.Count(i => i.Status == InstanceStatus.Running)}/{s.Instances}",
                s.Virtualization, Format.OrDash(s.Port),
                Format.Number(s.InstanceList.Sum(i => i.Cpu)),
                Format.Mb(s.InstanceList.Sum(i => i.Memory)),
            ]));

    /// <summary>The service's IPs: round robin always, closest when it has one.</summary>
    internal static string AddressText(ServiceDocument service) =>
        (Format.OrDash(service.RrIp), service.ClosestIp) switch
        {
            (var rr, null or "") => $"{rr} (round robin)",
            (var rr, var closest) => $"{rr} (round robin), {closest} (closest)",
        };

    private static Command List()
    {
        var app = new Option<string?>("--app", "-a") { Description = "Only this application (name or id)" };
        var command = new Command("list", "List services with their status, instance count, cpu and memory") { app };
        command.Aliases.Add("ls");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var services = await new ServiceCatalog(api).ServicesAsync(ct, parse.GetValue(app));
            if (output.IsJson)
            {
                output.Json(services);
            }
            else
            {
                WriteTable(output, services);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Show()
    {
        var service = new Argument<string>("service") { Description = "Id, job name, app.service or service name" };
        var command = new Command("show", "Show one service and its instances") { service };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var found = await new ServiceCatalog(api).ServiceAsync(parse.GetValue(service)!, ct);
            if (output.IsJson)
            {
                output.Json(found);
                return ExitCodes.Success;
            }

            output.Info($"{found.JobName} ({found.MicroserviceId})");
            output.Info($"  status:         {found.Status}{(string.IsNullOrEmpty(found.StatusDetail) ? "" : " - " + found.StatusDetail)}");
            output.Info($"  virtualization: {found.Virtualization}  code: {Format.OrDash(found.Code)}");
            output.Info($"  cmd:            {(found.Cmd is { Count: > 0 } c ? string.Join(' ', c) : "-")}");
            output.Info($"  limits:         {Format.Number(found.Vcpus)} vcpus, {found.Memory} MB   port: {Format.OrDash(found.Port)}");
            output.Info($"  restart policy: {found.RestartPolicy}{(found.OneShot ? " (one_shot)" : "")}   instances: {found.Instances}");
            output.Info($"  service ips:    {AddressText(found)}");
            InstanceCommands.WriteTable(output, [found]);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Scale()
    {
        var service = new Argument<string>("service") { Description = "Id, job name, app.service or service name" };
        var count = new Argument<int>("instances") { Description = "Desired number of instances" };
        var command = new Command("scale", "Add or remove instances until the service has the given number") { service, count };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            var n = parse.GetValue(count);
            if (n < 0)
            {
                throw new CliException("The instance count cannot be negative.", ExitCodes.InvalidInput);
            }

            using var api = GlobalOptions.ClientOf(parse);
            var found = await new ServiceCatalog(api).ServiceAsync(parse.GetValue(service)!, ct);
            var scaled = await api.PutAsync<ServiceDocument>($"api/v1/services/{found.MicroserviceId}/scale", new ScaleRequest(n), ct);
            if (output.IsJson)
            {
                output.Json(scaled);
            }
            else
            {
                output.Info($"{found.JobName} scaled to {n} instance(s).");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var service = new Argument<string>("service") { Description = "Id, job name, app.service or service name" };
        var command = new Command("delete", "Stop every instance of a service and remove it") { service };
        command.Aliases.Add("rm");
        command.Handle(async (parse, ct) =>
        {
            using var api = GlobalOptions.ClientOf(parse);
            var found = await new ServiceCatalog(api).ServiceAsync(parse.GetValue(service)!, ct);
            await api.DeleteAsync($"api/service/{found.MicroserviceId}", ct);
            GlobalOptions.OutputOf(parse).Info($"Service {found.JobName} is being removed.");
            return ExitCodes.Success;
        });
        return command;
    }
}
