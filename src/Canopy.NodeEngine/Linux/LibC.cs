using System.Runtime.InteropServices;

namespace Canopy.NodeEngine.Linux;

/// <summary>The few libc calls the node engine needs; .NET has no API to signal a process group, to unmount or to change a file's owner.</summary>
internal static class LibC
{
    public const int SigTerm = 15;
    public const int SigKill = 9;

    /// <summary>Sends <paramref name="signal"/> to one process. Refuses pids ≤ 1: kill(0)/kill(-1) would hit far more than one instance.</summary>
    public static bool Kill(int pid, int signal) => pid > 1 && kill(pid, signal) == 0;

    /// <summary>Sends <paramref name="signal"/> to every process of the group led by <paramref name="pgid"/>.</summary>
    public static bool KillGroup(int pgid, int signal) => pgid > 1 && kill(-pgid, signal) == 0;

    public static bool IsRoot => geteuid() == 0;

    /// <summary>flock(LOCK_EX | LOCK_NB): true when this open file now holds the exclusive lock, false when another holds one.</summary>
    public static bool TryLockExclusive(Microsoft.Win32.SafeHandles.SafeFileHandle file) => flock(file.DangerousGetHandle().ToInt32(), 2 | 4) == 0;

    /// <summary>Detaches a mount now (MNT_DETACH): what still uses it keeps it until done, the path is free at once.</summary>
    public static bool Detach(string mountPoint) => umount2(mountPoint, 2) == 0;

    /// <summary>Gives a file or directory (not what a symbolic link points to) to <paramref name="uid"/>:<paramref name="gid"/>.</summary>
    public static bool ChangeOwner(string path, int uid, int gid) => lchown(path, (uint)uid, (uint)gid) == 0;

    [DllImport("libc", SetLastError = true)]
    private static extern int lchown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int flock(int fd, int operation);

    [DllImport("libc", SetLastError = true)]
    private static extern int umount2([MarshalAs(UnmanagedType.LPUTF8Str)] string target, int flags);
}
