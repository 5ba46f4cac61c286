using System.Collections.Concurrent;
using System.Diagnostics;

namespace Canopy.Cluster.Broker;

/// <summary>
/// Starts a child that ends with this process even when it is SIGKILLed, so a killed cluster leaves no broker behind that its
/// nodes would keep talking to. <c>setpriv --pdeathsig</c> asks the kernel to signal the child when the thread that forked it
/// ends; .NET forks on the calling thread, so every fork happens on one thread that lives as long as the process.
/// </summary>
internal static class ParentBoundLauncher
{
    private const string SetPriv = "/usr/bin/setpriv";

    private static readonly BlockingCollection<(Process Process, TaskCompletionSource<bool> Started)> Requests = [];
    private static readonly Lazy<Thread> Launcher = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "canopy-child-launcher" };
        thread.Start();
        return thread;
    });

    /// <summary>The same command behind <c>setpriv --pdeathsig TERM</c> (which execs it: same pid); unchanged without setpriv.</summary>
    public static ProcessStartInfo Bind(ProcessStartInfo start)
    {
        if (!File.Exists(SetPriv))
        {
            return start;
        }

        var arguments = start.ArgumentList.ToList();
        start.ArgumentList.Clear();
        foreach (var argument in (string[])["--pdeathsig", "TERM", "--", start.FileName, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        start.FileName = SetPriv;
        return start;
    }

    public static Task<bool> StartAsync(Process process)
    {
        _ = Launcher.Value;
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        Requests.Add((process, started));
        return started.Task;
    }

    private static void Run()
    {
        foreach (var (process, started) in Requests.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(process.Start());
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
        }
    }
}
