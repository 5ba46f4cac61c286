using System.Text;
using Canopy.Contracts.Net;
using Canopy.Core.Addressing;

namespace Canopy.Net;

/// <summary>
/// The /etc/hosts of an instance: how it reaches the services of its own application by name without a DNS server. Each
/// service with an address appears as <c>&lt;service&gt;</c>, <c>&lt;service&gt;.&lt;app&gt;</c> and its job name
/// <c>app.appns.service.servicens</c>, resolved to its rr_ip (its closest_ip when it has only that).
/// </summary>
public static class HostsFile
{
    private const string Localhost = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n";

    /// <summary>Services in name order (then id), each name once (the first service wins), so equal tables give equal files.</summary>
    public static string Render(NodeNetTable table, string appName, string appNs)
    {
        var text = new StringBuilder(Localhost);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "localhost", "ip6-localhost", "ip6-loopback" };
        var services = table.Services
            .Where(s => s.AppName == appName && s.AppNs == appNs)
            .OrderBy(s => s.ServiceName, StringComparer.Ordinal).ThenBy(s => s.ServiceId, StringComparer.Ordinal);
        foreach (var service in services)
        {
            var address = Ipv4.IsValid(service.RrIp) ? service.RrIp : Ipv4.IsValid(service.ClosestIp) ? service.ClosestIp : null;
            if (address is null)
            {
                continue;
            }

            var job = string.IsNullOrEmpty(service.JobName) ? $"{service.AppName}.{service.AppNs}.{service.ServiceName}.{service.ServiceNs}" : service.JobName;
            var names = new[] { service.ServiceName, $"{service.ServiceName}.{appName}", job }
                .Where(n => IsHostName(n) && taken.Add(n))
                .ToList();
            if (names.Count > 0)
            {
                text.Append(address).Append('\t').AppendJoin(' ', names).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>Letters, digits, '-', '_' and '.' in labels that are not empty: what a resolver reads from the file as one name.</summary>
    private static bool IsHostName(string name) =>
        name.Length is > 0 and <= 253 && name.Split('.').All(l => l.Length is > 0 and <= 63)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');
}
