using System.Globalization;
using Canopy.Contracts;
using Canopy.NodeEngine.Instances;

namespace Canopy.NodeEngine.Runtimes;

/// <summary>The variables every instance gets, whatever runs it.</summary>
internal static class InstanceVariables
{
    /// <summary>
    /// The SLA's <c>environment</c> (<c>KEY=value</c>; a bare <c>KEY</c> is empty), then its secrets' variables, then Canopy's own,
    /// which win.
    /// </summary>
    public static void AddTo(IDictionary<string, string> env, ServiceSpec spec, InstanceKey key)
    {
        foreach (var entry in spec.Environment)
        {
            var eq = entry.IndexOf('=');
            var name = eq < 0 ? entry : entry[..eq];
            if (name.Length > 0)
            {
                env[name] = eq < 0 ? "" : entry[(eq + 1)..];
            }
        }

        // Secret variables (the SLA's secrets with env) over the plain environment; Canopy's own over both.
        foreach (var secret in spec.Secrets?.Environment ?? [])
        {
            env[secret.Target] = secret.Value;
        }

        env["CANOPY_SERVICE"] = spec.JobName;
        env["CANOPY_SERVICE_ID"] = spec.ServiceId;
        env["CANOPY_INSTANCE"] = key.InstanceNumber.ToString(CultureInfo.InvariantCulture);
    }
}
