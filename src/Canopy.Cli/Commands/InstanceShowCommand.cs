using System.CommandLine;
using System.Globalization;
using Canopy.Cli.Client;
using Canopy.Cli.Interaction;
using Canopy.Contracts.Api;
using Canopy.Core.States;

namespace Canopy.Cli.Commands;

/// <summary><c>canopy instance show SERVICE N</c>: one instance in detail, and its recent events, oldest first.</summary>
internal static class InstanceShowCommand
{
    private static readonly string[] EventHeaders = ["TIME (UTC)", "STATUS", "CLUSTER", "NODE", "DETAIL"];

    public static Command Build()
    {
        var service = new Argument<string>("service") { Description = "Id, job name, app.service or service name" };
        var number = new Argument<int>("instance") { Description = "Instance number" };
        var command = new Command("show", "One instance: where it runs, how it does, and its recent events") { service, number };
        command.Handle(async (parse, ct) =>
        {
            var output = GlobalOptions.OutputOf(parse);
            using var api = GlobalOptions.ClientOf(parse);
            var found = await new ServiceCatalog(api).ServiceAsync(parse.GetValue(service)!, ct);
            var detail = await api.GetAsync<InstanceDetailDocument>($"api/v1/services/{found.MicroserviceId}/instances/{parse.GetValue(number)}", ct);
            if (output.IsJson)
            {
                output.Json(detail);
            }
            else
            {
                output.Table(["FIELD", "VALUE"], DetailRows(detail));
                output.Table(EventHeaders, EventRows(detail));
            }

            return ExitCodes.Success;
        });
        return command;
    }

    internal static IEnumerable<IReadOnlyList<string>> DetailRows(InstanceDetailDocument d) =>
    [
        ["service", d.JobName],
        ["instance", d.InstanceNumber.ToString(CultureInfo.InvariantCulture)],
        ["status", d.Status.ToWireName()],
        ["detail", Format.OrDash(d.StatusDetail)],
        ["cluster", Format.OrDash(d.ClusterName)],
        ["node", Format.OrDash(d.NodeName)],
        ["instance ip", Format.OrDash(d.InstanceIp)],
        ["address", d.HostIp is null ? "-" : d.HostPort is null ? d.HostIp : $"{d.HostIp}:{d.HostPort}"],
        ["restarts", d.RestartCount.ToString(CultureInfo.InvariantCulture)],
        ["exit code", d.ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "-"],
        ["cpu %", Format.Number(d.Cpu)],
        ["memory", Format.Mb(d.Memory)],
        ["started", d.StartedAt is { } s ? Time(s) : "-"],
    ];

    internal static IEnumerable<IReadOnlyList<string>> EventRows(InstanceDetailDocument d) =>
        d.Events.Select(e => (IReadOnlyList<string>)[Time(e.Time), e.Status.ToWireName(), Format.OrDash(e.Cluster), Format.OrDash(e.Node), e.Detail]);

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
}
