using System.Runtime.InteropServices;

namespace Canopy.Cluster.Broker;

/// <summary>Signals for the broker child: SIGHUP makes Mosquitto reload its password and ACL files, SIGTERM stops it cleanly.</summary>
internal static class PosixSignals
{
    public const int SigHup = 1;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>False when the process does not exist (or is not ours to signal).</summary>
    public static bool Send(int pid, int signal) => Kill(pid, signal) == 0;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
