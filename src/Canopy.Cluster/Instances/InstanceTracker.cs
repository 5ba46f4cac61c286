using Canopy.Cluster.RootLink;
using Canopy.Cluster.Storage;
using Canopy.Contracts;
using Canopy.Core.States;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Instances;

/// <summary>
/// Changes instance records: checks each status change against Core's transition table, stores it, and tells the root at once.
/// Callers hold the <see cref="ClusterGate"/>.
/// </summary>
internal sealed partial class InstanceTracker(IClusterStore store, RootOutbox root, TimeProvider time, ILogger<InstanceTracker> logger)
{
    public DateTimeOffset Now => time.GetUtcNow();

    /// <summary>The record moved to <paramref name="to"/>, or null when the table forbids the move (logged).</summary>
    public InstanceRecord? Transition(InstanceRecord instance, InstanceStatus to, string? detail, string source)
    {
        if (!InstanceTransitions.IsAllowed(instance.Status, to))
        {
            Log.TransitionRefused(logger, instance.ToString(), instance.Status.ToWireName(), to.ToWireName(), source);
            return null;
        }

        return instance with { Status = to, Detail = detail, UpdatedAt = Now };
    }

    /// <summary>Stores <paramref name="after"/>; reports it to the root when what the root shows changed (status, detail, placement).</summary>
    public async Task SaveAsync(InstanceRecord? before, InstanceRecord after, CancellationToken ct)
    {
        after = after with { UpdatedAt = Now };
        await store.SaveInstanceAsync(after, ct);
        if (before is null || before.Status != after.Status || before.Detail != after.Detail || before.NodeId != after.NodeId ||
            before.RestartCount != after.RestartCount)
        {
            root.InstanceStatus(await ReportAsync(after, ct));
        }
    }

    /// <summary>The instance is gone: drop its record, tell the root UNDEPLOYED, and drop the service spec with its last instance.</summary>
    public async Task FinalizeUndeployAsync(InstanceRecord instance, string detail, CancellationToken ct)
    {
        await ForgetAsync(instance with { Status = InstanceStatus.Undeployed, Detail = detail }, ct);
        Log.Undeployed(logger, instance.ToString(), detail);
    }

    /// <summary>The cluster gives the instance up: drop its record, tell the root REQUESTED so that it places it again.</summary>
    public async Task HandBackAsync(InstanceRecord instance, string detail, CancellationToken ct)
    {
        await ForgetAsync(instance with { Status = InstanceStatus.Requested, Detail = detail, NodeId = null, NodeName = null, HostIp = null, Pid = null }, ct);
        Log.HandedBack(logger, instance.ToString(), detail);
    }

    /// <summary>Drops the record, reports its last state to the root, and drops the service spec with its last instance.</summary>
    private async Task ForgetAsync(InstanceRecord last, CancellationToken ct)
    {
        await store.DeleteInstanceAsync(last.ServiceId, last.InstanceNumber, ct);
        root.InstanceStatus(await ReportAsync(last, ct));
        if ((await store.ListInstancesOfServiceAsync(last.ServiceId, ct)).Count == 0)
        {
            await store.DeleteServiceAsync(last.ServiceId, ct);
        }
    }

    /// <summary>UNDEPLOYED for an instance the cluster does not hold, so that the root can forget it.</summary>
    public void ReportUnknownUndeployed(string serviceId, int instanceNumber) =>
        root.InstanceStatus(new InstanceReport
        {
            ServiceId = serviceId,
            InstanceNumber = instanceNumber,
            Status = InstanceStatus.Undeployed,
            StatusDetail = "not known to this cluster",
            Timestamp = Now,
        });

    public async Task<InstanceReport> ReportAsync(InstanceRecord instance, CancellationToken ct)
    {
        var spec = await store.GetServiceAsync(instance.ServiceId, ct);
        return instance.ToReport(spec?.JobName ?? "", Now);
    }

    public async Task<IReadOnlyList<InstanceReport>> ReportAllAsync(Func<InstanceRecord, bool> filter, CancellationToken ct)
    {
        var jobNames = new Dictionary<string, string>();
        var reports = new List<InstanceReport>();
        foreach (var instance in (await store.ListInstancesAsync(ct)).Where(filter))
        {
            if (!jobNames.TryGetValue(instance.ServiceId, out var jobName))
            {
                jobName = (await store.GetServiceAsync(instance.ServiceId, ct))?.JobName ?? "";
                jobNames[instance.ServiceId] = jobName;
            }

            reports.Add(instance.ToReport(jobName, Now));
        }

        return reports;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = EventIds.TransitionRefused, Level = LogLevel.Warning,
            Message = "Refused status change of instance {Instance} from {From} to {To} ({Source}): the transition table does not allow it")]
        public static partial void TransitionRefused(ILogger logger, string instance, string from, string to, string source);

        [LoggerMessage(EventId = EventIds.InstanceHandedBack, Level = LogLevel.Warning, Message = "Instance {Instance} handed back to the root: {Detail}")]
        public static partial void HandedBack(ILogger logger, string instance, string detail);

        [LoggerMessage(EventId = EventIds.InstanceUndeployed, Level = LogLevel.Information, Message = "Instance {Instance} undeployed: {Detail}")]
        public static partial void Undeployed(ILogger logger, string instance, string detail);
    }
}
