using System.Security.Cryptography;
using System.Text;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>
/// The user a process workload runs as: by default a uid of its own (gid = uid) from a range no passwd file names and no
/// other tool hands out (above systemd's container range 524288–1879048191, below its 0x7FFE0000 block), so one instance
/// can neither signal another nor read its files, and none can touch the node's. No user database is changed on the node.
/// </summary>
internal static class WorkloadUser
{
    public const int RangeStart = 1_900_000_000;
    public const int RangeSize = 1 << 24;

    /// <summary>
    /// A uid no other instance of <paramref name="taken"/> has: first a stable pick from the instance's name (which carries the
    /// node's key, so two node engines on one kernel hardly ever meet), then the next free one.
    /// </summary>
    public static int Allocate(string instanceName, IReadOnlySet<int> taken)
    {
        var hash = BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(instanceName)), 0);
        var offset = (int)(hash % RangeSize);
        for (var i = 0; i < RangeSize; i++)
        {
            var uid = RangeStart + ((offset + i) % RangeSize);
            if (!taken.Contains(uid))
            {
                return uid;
            }
        }

        throw new InvalidOperationException("no free exec uid left");
    }

    /// <summary>
    /// The command that drops root for the workload once the wrapper has joined the cgroups and mounted the hosts file:
    /// setpriv with the instance's uid and gid, no supplementary groups, no_new_privs (no setuid binary gives root back),
    /// and of all capabilities only CAP_NET_BIND_SERVICE, so an SLA port below 1024 still binds as it did under root.
    /// </summary>
    public static IReadOnlyList<string> Setpriv(string setpriv, int uid)
    {
        var id = uid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        const string Caps = "-all,+net_bind_service";
        return
        [
            setpriv, $"--reuid={id}", $"--regid={id}", "--clear-groups", "--no-new-privs",
            $"--bounding-set={Caps}", $"--inh-caps={Caps}", $"--ambient-caps={Caps}", "--",
        ];
    }
}
