using System.Runtime.InteropServices;
using Canopy.NodeEngine.Linux;

namespace Canopy.Cli.Roles;

/// <summary>
/// The native node engine (<c>canopy-node</c>, scripts/publish-node.sh) installed beside <c>canopy</c>: <c>canopy node</c>
/// hands its process over to it, same pid and same flags, so a node idles in a fraction of the JIT's memory. Used only
/// when it is a native executable for this machine; <c>CANOPY_NODE_IN_PROCESS=1</c> keeps the node in the CLI.
/// </summary>
internal static partial class NativeNode
{
    public const string FileName = "canopy-node";

    /// <summary>The native node engine next to this executable, or null (none, not native, not for this CPU, or opted out).</summary>
    public static string? Find()
    {
        if (Environment.GetEnvironmentVariable("CANOPY_NODE_IN_PROCESS") is "1" or "true")
        {
            return null;
        }

        var path = Path.Combine(AppContext.BaseDirectory, FileName);
        return IsNativeForThisMachine(path) ? path : null;
    }

    /// <summary>
    /// An ELF file for this CPU with no managed assembly beside it: a JIT build's apphost (with <c>canopy-node.dll</c>) or a
    /// copy for another architecture would not do.
    /// </summary>
    public static bool IsNativeForThisMachine(string path)
    {
        if (!File.Exists(path) || File.Exists(path + ".dll") || (File.GetUnixFileMode(path) & UnixFileMode.UserExecute) == 0)
        {
            return false;
        }

        var header = new byte[4096];
        using (var file = File.OpenRead(path))
        {
            header = header[..file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false)];
        }

        var found = ElfExecutable.Inspect(header);
        return found.Linking != ElfLinking.NotElf && found.Machine == ElfExecutable.MachineOf(RuntimeInformation.OSArchitecture);
    }

    /// <summary>Replaces this process with <paramref name="path"/>; returns only by throwing.</summary>
    /// <exception cref="CliException">The exec failed; the message has the errno.</exception>
    public static void Exec(string path, IEnumerable<string> arguments)
    {
        // execv's argv: UTF-8 strings, then a null; never freed, as the process image they live in is replaced (or exits).
        var argv = new List<IntPtr> { Marshal.StringToCoTaskMemUTF8(path) };
        argv.AddRange(arguments.Select(Marshal.StringToCoTaskMemUTF8));
        argv.Add(IntPtr.Zero);
        Console.Out.Flush();
        Console.Error.Flush();
        ExecV(argv[0], [.. argv]);
        throw new CliException($"Could not run {path}: errno {Marshal.GetLastPInvokeError()}; set CANOPY_NODE_IN_PROCESS=1 to run the node inside canopy.", ExitCodes.StartFailed);
    }

    [DllImport("libc", EntryPoint = "execv", SetLastError = true)]
    private static extern int ExecV(IntPtr path, IntPtr[] argv);
}
