using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Runtimes.Processes;

internal abstract partial class ProcessRuntime
{
    private const UnixFileMode Traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;

    private const UnixFileMode OwnerAndGroupRead = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
        | UnixFileMode.GroupRead | UnixFileMode.GroupExecute;

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private readonly Lock _uidLock = new();

    /// <summary>
    /// Lets unprivileged workloads pass through the data dir to their own home (the instances directory lists nothing to
    /// them: 0711), and warns when a directory above it (/root for the default ~/.canopy) stops them anyway.
    /// </summary>
    private void OpenPathToHomes()
    {
        if (!DropsRoot)
        {
            return;
        }

        File.SetUnixFileMode(InstancesDir, Traversable);
        var dataDir = new DirectoryInfo(Options.DataDir);
        dataDir.UnixFileMode |= UnixFileMode.OtherExecute;
        if (FirstClosedDirectory(dataDir.Parent) is { } closed)
        {
            ProcessLog.HomeUnreachable(Logger, closed.FullName, Convert.ToString((int)closed.UnixFileMode, 8));
        }
    }

    /// <summary><paramref name="dir"/> or the first directory above it that other users may not pass; null when they may pass all.</summary>
    protected static DirectoryInfo? FirstClosedDirectory(DirectoryInfo? dir)
    {
        for (; dir is not null; dir = dir.Parent)
        {
            if (dir.Exists && !dir.UnixFileMode.HasFlag(UnixFileMode.OtherExecute))
            {
                return dir;
            }
        }

        return null;
    }

    /// <summary>
    /// Makes the instance's home and returns the command prefix that runs the workload as its own user (empty when it runs
    /// as root), or null with <paramref name="error"/> set. The instance directory becomes root's with the instance's group
    /// (0750: the workload reads its spec and log, writes nothing there); the home is the workload's alone (0700).
    /// </summary>
    private IReadOnlyList<string>? PrepareUser(ProcessInstance instance, out string? error)
    {
        var paths = instance.Paths;
        Directory.CreateDirectory(paths.Home);
        error = null;
        if (!DropsRoot)
        {
            return [];
        }

        if (Executables.Find("setpriv") is not { } setpriv)
        {
            error = $"setpriv (util-linux) is not installed on node {Options.NodeName}, so exec workloads cannot run as an unprivileged user: install util-linux, or let them run as root there with --exec-as-root";
            return null;
        }

        var uid = AllocateUid(instance);
        if (!LibC.ChangeOwner(paths.Dir, 0, uid) || !LibC.ChangeOwner(paths.Home, uid, uid))
        {
            error = $"cannot give the instance directory {paths.Dir} to its user {uid}: {System.Runtime.InteropServices.Marshal.GetLastPInvokeErrorMessage()}";
            return null;
        }

        File.SetUnixFileMode(paths.Dir, OwnerAndGroupRead);
        File.SetUnixFileMode(paths.Home, OwnerOnly);
        return WorkloadUser.Setpriv(setpriv, uid);
    }

    /// <summary>The instance keeps the uid it had (its files are that uid's); a new one gets one no other instance here has.</summary>
    private int AllocateUid(ProcessInstance instance)
    {
        lock (_uidLock)
        {
            if (instance.Uid is { } kept)
            {
                return kept;
            }

            var taken = Instances.Values.Where(other => other != instance && other.Uid is not null).Select(other => other.Uid!.Value).ToHashSet();
            var uid = WorkloadUser.Allocate(CgroupInstanceName(Options, instance.Key), taken);
            instance.Uid = uid;
            return uid;
        }
    }
}
