namespace Canopy.WasmHost;

/// <summary>
/// The one-line status the node engine's wasm runtime reads (the <c>--status-file</c>): <c>ready</c> once the module is
/// instantiated (and, when serving, its port is bound); <c>failed: reason</c> for what a restart cannot fix (not a module,
/// fails validation or linking, traps while instantiating or soon after <c>_start</c> began); <c>trapped: reason</c> for a
/// trap later in a long run (the restart policy applies). Replaced atomically, so a reader never sees half a line.
/// </summary>
internal static class HostStatus
{
    public const string Ready = "ready";

    public static void Write(string? file, string line)
    {
        if (file is null)
        {
            return;
        }

        var temporary = file + ".tmp";
        File.WriteAllText(temporary, line + "\n");
        File.Move(temporary, file, overwrite: true);
    }
}

/// <summary>The host's own exit codes (a module's proc_exit code is passed through as is; the status file tells them apart).</summary>
internal static class HostExit
{
    public const int Usage = 64;
    public const int InvalidModule = 65;
    public const int TrapAtStart = 66;
    public const int Trap = 67;
    public const int CannotServe = 69;
    public const int Internal = 70;
}
