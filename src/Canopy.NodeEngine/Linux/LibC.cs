using System.Runtime.InteropServices;

namespace Canopy.NodeEngine.Linux;

/// <summary>The few libc calls the node engine needs; .NET has no API to signal a process group.</summary>
internal static class LibC
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to one process. Refuses pids ≤ 1: kill(0)/kill(-1) would hit far more than one instance.</summary>
    public static bool Kill(int pid, int signal) => pid > 1 && kill(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to every process of the group led by <paramref name="pgid"/>.</summary>
    public static bool KillGroup(int pgid, int signal) => pgid > 1 && kill(-pgid, signal) == 0;

    public static bool IsRoot => geteuid() == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();
}
