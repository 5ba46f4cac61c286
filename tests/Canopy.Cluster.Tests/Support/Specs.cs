using System.Security.Cryptography;
using Canopy.Contracts;

namespace Canopy.Cluster.Tests.Support;

internal static class Specs
{
    public static ServiceSpec Exec(string? serviceId = null, int memory = 100, double vcpus = 0.5) => new()
    {
        ServiceId = serviceId ?? RandomNumberGenerator.GetHexString(24, lowercase: true),
        JobName = "app.test.web.test",
        AppName = "app",
        AppNs = "test",
        ServiceName = "web",
        ServiceNs = "test",
        Virtualization = "exec",
        Cmd = ["sleep", "1000"],
        Memory = memory,
        Vcpus = vcpus,
    };
}
