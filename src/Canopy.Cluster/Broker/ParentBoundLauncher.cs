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
    private const string SetSid = "/usr/bin/setsid";

    private static readonly BlockingCollection<(Process Process, TaskCompletionSource<bool> Started)> Requests = [];
    private static readonly Lazy<Thread> Launcher = new(() =>
    {
        var thread = new Thread(Run) { IsBackground = true, Name = "canopy-child-launcher" };
        thread.Start();
        return thread;
    });

    /// <summary>
    /// The same command behind <c>setpriv --pdeathsig TERM</c> and <c>setsid</c> (each execs the next: same pid). Its own
    /// session keeps a terminal's Ctrl-C, meant for Canopy, away from the child: Canopy stops it in its own order.
    /// </summary>
    public static ProcessStartInfo Bind(ProcessStartInfo start)
    {
        var arguments = start.ArgumentList.ToList();
        var command = new List<string>();
        if (File.Exists(SetPriv))
        {
            command.AddRange([SetPriv, "--pdeathsig", "TERM", "--"]);
        }

        if (File.Exists(SetSid))
        {
            command.Add(SetSid);
        }

        if (command.Count == 0)
        {
            return start;
        }

        start.ArgumentList.Clear();
        foreach (var argument in command.Skip(1).Concat([start.FileName, .. arguments]))
        {
            start.ArgumentList.Add(argument);
        }

        start.FileName = command[0];
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
