using System.Globalization;
using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>
/// The environment of a process workload (exec; a wasm module gets it as its WASI environment): the SLA's <c>environment</c>, then Canopy's variables. Process instances
/// are not NATed, so each binds its host port itself: <c>PORT_i</c> = host port of mapping i + instance number
/// (two instances on one node never collide), <c>PORT</c> = <c>PORT_0</c>.
/// </summary>
internal static class ProcessEnvironment
{
    private const string DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static int HostPort(PortMapping mapping, int instanceNumber) => mapping.HostPort + instanceNumber;

    public static Dictionary<string, string> Build(
        ServiceSpec spec, InstanceKey key, IReadOnlyList<PortMapping> ports, string home)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["PATH"] = Environment.GetEnvironmentVariable("PATH") is { Length: > 0 } path ? path : DefaultPath,
            ["HOME"] = home,
        };

        InstanceVariables.AddTo(env, spec, key);
        for (var i = 0; i < ports.Count; i++)
        {
            var port = HostPort(ports[i], key.InstanceNumber).ToString(CultureInfo.InvariantCulture);
            env[$"PORT_{i.ToString(CultureInfo.InvariantCulture)}"] = port;
            if (i == 0)
            {
                env["PORT"] = port;
            }
        }

        return env;
    }
}
