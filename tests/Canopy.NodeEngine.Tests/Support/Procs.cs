using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Tests.Support;

public static class Procs
{
    /// <summary>The direct children of <paramref name="pid"/> (its main thread's view, which is where a shell's children hang).</summary>
    public static int[] ChildrenOf(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/task/{pid}/children")
                .Split(' ', StringSplitOptions.RemoveEmptyEntries)
                .Select(int.Parse)
                .ToArray();
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>Children, grandchildren...: what a kill of the instance must reach.</summary>
    public static int[] DescendantsOf(int pid) =>
        ChildrenOf(pid).SelectMany(child => DescendantsOf(child).Prepend(child)).ToArray();

    public static bool IsAlive(int pid) => ProcessStat.Read(ProcessStat.PathOf(pid)) is { HasExited: false };

    /// <summary>True while some process still belongs to the group (kill with signal 0 probes without signalling).</summary>
    public static bool GroupExists(int pgid) => LibC.KillGroup(pgid, 0);
}
