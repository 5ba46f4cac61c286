using System.CommandLine;
using Canopy.Cli.Client;
using Canopy.Cli.Descriptors;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;

namespace Canopy.Cli.Commands;

public static class AppCommands
{
    public static Command Build()
    {
        var app = new Command("app", "Applications: deploy an SLA v2.0 descriptor, list, delete");
        app.Subcommands.Add(Deploy());
        app.Subcommands.Add(List());
        app.Subcommands.Add(Delete());
        return app;
    }

    private static Command Deploy()
    {
        var file = new Argument<string>("file") { Description = "SLA v2.0 descriptor, JSON or YAML" };
        var watch = new Option<bool>("--watch", "-w") { Description = "Show each instance's status live until all run" };
        var timeout = new Option<int>("--timeout") { Description = "Seconds --watch waits", DefaultValueFactory = _ => 120 };
        var noStart = new Option<bool>("--no-start") { Description = "Create the application and services but no instances" };
        var command = new Command("deploy", "Create the application(s) of a descriptor and start one instance per service (or its `instances` count)")
        {
            file, watch, timeout, noStart,
        };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            var json = DescriptorFile.ReadAsJson(parse.GetValue(file)!);
            using var api = GlobalOptions.ClientOf(parse);
            var before = (await api.GetAsync<List<ApplicationDocument>>("api/applications/", ct)).Select(a => a.ApplicationId).ToHashSet();
            var apps = await api.PostJsonAsync<List<ApplicationDocument>>("api/application/", json, ct);
            var created = apps.Where(a => !before.Contains(a.ApplicationId)).ToList();
            foreach (var warning in created.SelectMany(a => a.Warnings ?? []))
            {
                output.Warn(warning);
            }

            var services = new List<ServiceDocument>();
            foreach (var serviceId in created.SelectMany(a => a.Microservices))
            {
                var service = await api.GetAsync<ServiceDocument>($"api/service/{serviceId}", ct);
                if (!parse.GetValue(noStart))
                {
                    for (var i = service.InstanceList.Count; i < Math.Max(1, service.Instances); i++)
                    {
                        await api.PostAsync<InstanceAddedResponse>($"api/service/{serviceId}/instance", null, ct);
                    }
                }

                services.Add(service);
            }

            foreach (var a in created)
            {
                output.Info($"Application {a.ApplicationName}.{a.ApplicationNamespace} created ({a.ApplicationId}) with {a.Microservices.Count} service(s).");
            }

            if (parse.GetValue(watch) && !parse.GetValue(noStart))
            {
                return await Watch.UntilRunningAsync(api, output, services.Select(s => s.MicroserviceId).ToList(), TimeSpan.FromSeconds(parse.GetValue(timeout)), ct);
            }

            var current = new List<ServiceDocument>();
            foreach (var s in services)
            {
                current.Add(await api.GetAsync<ServiceDocument>($"api/service/{s.MicroserviceId}", ct));
            }

            if (output.IsJson)
            {
                output.Json(current);
            }
            else
            {
                ServiceCommands.WriteTable(output, current);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var command = new Command("list", "List applications");
        command.Aliases.Add("ls");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var apps = await new ServiceCatalog(api).ApplicationsAsync(ct);
            if (output.IsJson)
            {
                output.Json(apps);
                return ExitCodes.Success;
            }

            output.Table(["ID", "NAME", "NAMESPACE", "SERVICES", "DESCRIPTION"],
                apps.Select(a => (IReadOnlyList<string>)[a.ApplicationId, a.ApplicationName, a.ApplicationNamespace, a.Microservices.Count.ToString(), Format.OrDash(a.ApplicationDesc)]));
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Delete()
    {
        var app = new Argument<string>("application") { Description = "Name, name.namespace or id" };
        var wait = new Option<bool>("--wait") { Description = "Wait until every instance is undeployed and the records are gone" };
        var command = new Command("delete", "Stop every instance of an application and remove it") { app, wait };
        command.Aliases.Add("rm");
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var catalog = new ServiceCatalog(api);
            var target = await catalog.ApplicationAsync(parse.GetValue(app)!, ct);
            await api.DeleteAsync($"api/application/{target.ApplicationId}", ct);
            output.Info($"Application {target.ApplicationName} ({target.ApplicationId}) is being removed.");
            if (parse.GetValue(wait))
            {
                var deadline = DateTimeOffset.UtcNow.AddSeconds(60);
                while ((await catalog.ApplicationsAsync(ct)).Any(a => a.ApplicationId == target.ApplicationId))
                {
                    if (DateTimeOffset.UtcNow > deadline)
                    {
                        throw new CliException("The application is still there after 60 s; `canopy instance list` shows what is left.", ExitCodes.Timeout);
                    }

                    await Task.Delay(250, ct);
                }

                output.Info("Removed.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
