namespace Canopy.NodeEngine.Linux;

/// <summary>Linux signal names, to explain an exit code ≥ 128 (the shell's 128 + signal).</summary>
internal static class Signals
{
    private static readonly string[] Names =
    [
        "", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
        "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",
        "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS",
    ];

    /// <summary>The signal an exit code stands for (137 → SIGKILL), or null for an ordinary exit code.</summary>
    public static string? FromExitCode(int? exitCode) =>
        exitCode is > 128 and < 160 && exitCode.Value - 128 < Names.Length ? Names[exitCode.Value - 128] : null;
}
