using Canopy.Cluster.Storage;
using Canopy.Contracts;

namespace Canopy.Cluster.Instances;

internal static class InstanceReports
{
    public static InstanceReport ToReport(this InstanceRecord instance, string jobName, DateTimeOffset now) => new()
    {
        ServiceId = instance.ServiceId,
        JobName = jobName,
        InstanceNumber = instance.InstanceNumber,
        Status = instance.Status,
        StatusDetail = instance.Detail,
        NodeId = instance.NodeId,
        NodeName = instance.NodeName,
        HostIp = instance.HostIp,
        HostPort = instance.HostPort,
        InstanceIp = instance.InstanceIp,
        RestartCount = instance.RestartCount,
        ExitCode = instance.ExitCode,
        Pid = instance.Pid,
        CpuPercent = instance.CpuPercent,
        Memory = instance.Memory,
        MemoryPercent = instance.MemoryPercent,
        StartedAt = instance.StartedAt,
        Timestamp = now,
    };
}
