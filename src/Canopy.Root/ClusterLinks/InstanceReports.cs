using Canopy.Contracts;
using Canopy.Core.States;
using Canopy.Root.Deployments;
using Canopy.Root.Store;

namespace Canopy.Root.ClusterLinks;

/// <summary>How a cluster's report of an instance changes the root's record of it.</summary>
internal static class InstanceReports
{
    /// <summary>The record after the report, or null when the transition table does not allow the reported status.</summary>
    public static InstanceRecord? Apply(InstanceRecord current, InstanceReport report, string clusterId, DateTimeOffset now)
    {
        if (!InstanceRules.CanReach(current.Status, report.Status))
        {
            return null;
        }

        if (report.Status == InstanceStatus.Requested)
        {
            // Handed back: the cluster gave it up, the root places it again.
            return current with
            {
                Status = InstanceStatus.Requested,
                StatusDetail = report.StatusDetail ?? "handed back by its cluster",
                ClusterId = null,
                NodeId = null,
                NodeName = null,
                HostIp = null,
                InstanceIp = null,
                HostPort = null,
                Pid = null,
                UpdatedAt = now,
            };
        }

        // Where it runs is the cluster's knowledge: taken as reported. Metrics only when measured.
        return current with
        {
            Status = report.Status,
            StatusDetail = report.StatusDetail,
            ClusterId = clusterId,
            NodeId = report.NodeId,
            NodeName = report.NodeName,
            HostIp = report.HostIp,
            HostPort = report.HostPort,
            InstanceIp = report.InstanceIp,
            CpuPercent = report.CpuPercent ?? current.CpuPercent,
            Memory = report.Memory ?? current.Memory,
            MemoryPercent = report.MemoryPercent ?? current.MemoryPercent,
            RestartCount = report.RestartCount,
            ExitCode = report.ExitCode,
            Pid = report.Pid,
            StartedAt = report.StartedAt ?? current.StartedAt,
            UpdatedAt = now,
        };
    }
}
