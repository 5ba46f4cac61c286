using Canopy.Cluster.Storage;
using Canopy.Contracts;

namespace Canopy.Cluster.Instances;

internal static class InstanceRecordExtensions
{
    /// <summary>Takes over what the node knows better than the cluster: process facts and metrics (status is checked elsewhere).</summary>
    public static InstanceRecord WithNodeReport(this InstanceRecord instance, InstanceReport report) => instance with
    {
        RestartCount = report.RestartCount,
        ExitCode = report.ExitCode ?? instance.ExitCode,
        Pid = report.Pid ?? instance.Pid,
        HostIp = report.HostIp ?? instance.HostIp,
        HostPort = report.HostPort ?? instance.HostPort,
        InstanceIp = report.InstanceIp ?? instance.InstanceIp,
        StartedAt = report.StartedAt ?? instance.StartedAt,
        CpuPercent = report.CpuPercent ?? instance.CpuPercent,
        Memory = report.Memory ?? instance.Memory,
        MemoryPercent = report.MemoryPercent ?? instance.MemoryPercent,
    };
}
