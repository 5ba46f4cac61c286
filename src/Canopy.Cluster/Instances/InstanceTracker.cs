using Canopy.Cluster.Net;
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
internal sealed partial class InstanceTracker(
    IClusterStore store, RootOutbox root, NetChanges netChanges, TimeProvider time, ILogger<InstanceTracker> logger)
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

    /// <summary>
    /// Stores <paramref name="after"/>; reports it to the root when what the root shows changed (status, detail, placement,
    /// address), and has the node net tables recomputed when what they show changed.
    /// </summary>
    public Task SaveAsync(InstanceRecord? before, InstanceRecord after, CancellationToken ct) => SaveAllAsync([(before, after)], ct);

    /// <summary><see cref="SaveAsync"/> for several instances, stored in one transaction (a batch of placements).</summary>
    public async Task SaveAllAsync(IReadOnlyList<(InstanceRecord? Before, InstanceRecord After)> changes, CancellationToken ct)
    {
        var saved = new List<(InstanceRecord? Before, InstanceRecord After)>(changes.Count);
        foreach (var (before, original) in changes)
        {
            var after = original with { UpdatedAt = Now };
            if (before is not null && before.NodeId != after.NodeId && before.InstanceIp == after.InstanceIp)
            {
                // Placed elsewhere: the old node's address is not its address there.
                after = after with { InstanceIp = null };
            }

            if (before is null || before.InstanceIp != after.InstanceIp || before.Detail != after.Detail || before.NodeId != after.NodeId)
            {
                after = await NoteUnroutedAsync(before, after, ct);
            }

            saved.Add((before, after));
        }

        await store.SaveInstancesAsync(saved.ConvertAll(c => c.After), ct);
        if (saved.Exists(c => c.Before is not { } before || before.Status != c.After.Status || before.NodeId != c.After.NodeId ||
                               before.InstanceIp != c.After.InstanceIp))
        {
            netChanges.Changed();
        }

        var jobNames = new Dictionary<string, string>();
        foreach (var (before, after) in saved)
        {
            if (before is null || before.Status != after.Status || before.Detail != after.Detail || before.NodeId != after.NodeId ||
                before.RestartCount != after.RestartCount || before.InstanceIp != after.InstanceIp)
            {
                if (!jobNames.TryGetValue(after.ServiceId, out var jobName))
                {
                    jobName = (await store.GetServiceAsync(after.ServiceId, ct))?.JobName ?? "";
                    jobNames[after.ServiceId] = jobName;
                }

                root.InstanceStatus(after.ToReport(jobName, Now));
            }
        }
    }

    /// <summary>
    /// A container whose node reports an address outside the node's subnet is left out of every table (<see cref="NodeNetTables"/>);
    /// its status detail says so, kept through later details until the address is right.
    /// </summary>
    private async Task<InstanceRecord> NoteUnroutedAsync(InstanceRecord? before, InstanceRecord after, CancellationToken ct)
    {
        if (after.InstanceIp is null || after.NodeId is null ||
            await store.GetNodeAsync(after.NodeId, ct) is not { } node || await store.GetServiceAsync(after.ServiceId, ct) is not { } spec ||
            InstanceAddresses.Unrouted(spec.Virtualization, after.InstanceIp, node.Host, node.Subnet) is not { } note)
        {
            return after;
        }

        if (before?.InstanceIp != after.InstanceIp)
        {
            Log.Unrouted(logger, after.ToString(), note);
        }

        return after.Detail?.Contains(note, StringComparison.Ordinal) == true
            ? after
            : after with { Detail = string.IsNullOrEmpty(after.Detail) ? note : $"{after.Detail}; {note}" };
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
        await ForgetAsync(instance with { Status = InstanceStatus.Requested, Detail = detail, NodeId = null, NodeName = null, HostIp = null, InstanceIp = null, Pid = null }, ct);
        Log.HandedBack(logger, instance.ToString(), detail);
    }

    /// <summary>Drops the record, reports its last state to the root, and drops the service spec with its last instance.</summary>
    private async Task ForgetAsync(InstanceRecord last, CancellationToken ct)
    {
        await store.DeleteInstanceAsync(last.ServiceId, last.InstanceNumber, ct);
        netChanges.Changed();
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

        [LoggerMessage(EventId = EventIds.InstanceAddressUnrouted, Level = LogLevel.Warning, Message = "Instance {Instance}: {Note}")]
        public static partial void Unrouted(ILogger logger, string instance, string note);
    }
}
