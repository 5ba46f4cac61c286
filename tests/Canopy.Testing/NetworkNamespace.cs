using System.Runtime.InteropServices;

namespace Canopy.Testing;

/// <summary>
/// Runs code on a thread of its own switched into a network namespace with setns(2): sockets it creates live there (the
/// rest of the process stays where it is). The thread ends with the code; nothing else ever runs on it.
/// </summary>
public static partial class NetworkNamespace
{
    private const int CloneNewNet = 0x40000000;

    /// <param name="path">A namespace file: <c>/run/netns/NAME</c> or <c>/proc/PID/ns/net</c>.</param>
    public static T Run<T>(string path, Func<T> inside)
    {
        T? result = default;
        Exception? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                using var target = File.OpenHandle(path);
                if (SetNs((int)target.DangerousGetHandle(), CloneNewNet) != 0)
                {
                    throw new InvalidOperationException($"setns({path}) failed: errno {Marshal.GetLastPInvokeError()}");
                }

                result = inside();
            }
            catch (Exception e)
            {
                error = e;
            }
        });
        thread.Start();
        thread.Join();
        return error is null ? result! : throw new InvalidOperationException($"in network namespace {path}: {error.Message}", error);
    }

    [LibraryImport("libc", EntryPoint = "setns", SetLastError = true)]
    private static partial int SetNs(int fd, int nstype);
}
