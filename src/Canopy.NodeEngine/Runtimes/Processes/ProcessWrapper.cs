using System.Diagnostics;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes.Processes;

/// <summary>
/// How a process instance is started: <c>setsid sh -c '&lt;Script&gt;' canopy-&lt;job&gt; &lt;dir&gt; &lt;cmd...&gt;</c>.
/// The script is a constant and gets the instance directory and the command as positional arguments, so no user
/// string ever becomes shell code. setsid makes the wrapper a session and process group leader (pgid = its pid),
/// so one kill(−pgid) reaches the whole instance.
/// </summary>
internal static class ProcessWrapper
{
    /// <summary>
    /// Joins the instance's cgroups before anything else runs (children inherit the membership), appends all output
    /// to stdout.log (O_APPEND: the node engine may truncate it to rotate), runs the command, and writes its exit
    /// status to a file: the node engine may not be this process's parent any more when it ends.
    /// With a <c>hosts</c> file in the instance directory, the command runs in a mount namespace of its own (unshare execs,
    /// so the command is still the wrapper's child and the wrapper still sees its exit) with that file bound over
    /// /etc/hosts: it resolves its application's services by name while the machine's /etc/hosts stays as it is. The node
    /// rewrites the file in place, so the mount shows every new table.
    /// </summary>
    public const string Script =
        """
        d="$1"
        shift
        exec </dev/null >>"$d/stdout.log" 2>&1
        if [ -f "$d/cgroups" ]; then
          while IFS= read -r f; do
            [ -z "$f" ] || echo $$ >"$f" || echo "canopy: could not join cgroup $f"
          done <"$d/cgroups"
        fi
        if [ -f "$d/hosts" ]; then
          unshare --mount --propagation private /bin/sh -c 'mount --bind "$1/hosts" /etc/hosts || echo "canopy: could not mount $1/hosts over /etc/hosts"; shift; exec "$@"' canopy-hosts "$d" "$@"
        else
          "$@"
        fi
        echo $? >"$d/exit"
        """;

    /// <summary>False when neither util-linux setsid nor busybox is installed.</summary>
    public static bool IsAvailable => Setsid.Command is not null && File.Exists("/bin/sh");

    /// <summary>
    /// <paramref name="argv"/> starts with the command that drops root (<see cref="WorkloadUser.Setpriv"/>) unless the workload
    /// runs as root: the wrapper itself stays root to join the cgroups, mount the hosts file and write the exit status, and
    /// the workload, already in its home, never gets the rights to leave its cgroup or namespace.
    /// </summary>
    public static ProcessStartInfo CreateStartInfo(
        string jobName, ProcessPaths paths, IEnumerable<string> argv, IReadOnlyDictionary<string, string> environment)
    {
        var setsid = Setsid.Command ?? throw new InvalidOperationException("setsid is not installed on this node");
        var info = new ProcessStartInfo(setsid[0])
        {
            UseShellExecute = false,
            WorkingDirectory = paths.Home,
        };

        foreach (var arg in setsid.Skip(1))
        {
            info.ArgumentList.Add(arg);
        }

        info.ArgumentList.Add("/bin/sh");
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Script);
        info.ArgumentList.Add($"canopy-{jobName}");
        info.ArgumentList.Add(paths.Dir);
        foreach (var arg in argv)
        {
            info.ArgumentList.Add(arg);
        }

        // The workload sees only its own environment: the node engine's may hold its join token.
        info.Environment.Clear();
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        return info;
    }
}
