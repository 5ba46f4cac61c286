namespace Canopy.NodeEngine.Linux;

/// <summary>
/// What the node engine needs from <c>/proc/&lt;pid&gt;/stat</c>: the state letter (field 3) and the start time
/// (field 22, clock ticks since boot). A pid is the same process only while its start time is the same:
/// that guards adoption and exit polling against pid reuse.
/// </summary>
internal readonly record struct ProcessStat(char State, ulong StartTime)
{
    /// <summary>Zombie (Z) and dead (X) processes have exited; only their parent has not reaped them yet.</summary>
    public bool HasExited => State is 'Z' or 'X';

    public static string PathOf(int pid) => $"/proc/{pid}/stat";

    public static ProcessStat? Read(string statPath)
    {
        Span<byte> buffer = stackalloc byte[1024];
        var n = ProcFs.Read(statPath, buffer);
        return n <= 0 ? null : Parse(buffer[..n]);
    }

    public static ProcessStat? Parse(ReadOnlySpan<byte> text)
    {
        // The command name (field 2) is in parentheses and may itself hold spaces and ')': fields resume after the last ')'.
        var close = text.LastIndexOf((byte)')');
        if (close < 0 || close + 2 >= text.Length)
        {
            return null;
        }

        var rest = text[(close + 2)..];
        var state = (char)rest[0];

        // rest starts at field 3; field 22 is 19 separators further.
        var pos = 0;
        for (var field = 3; field < 22; field++)
        {
            var space = rest[pos..].IndexOf((byte)' ');
            if (space < 0)
            {
                return null;
            }

            pos += space + 1;
        }

        var startTime = ProcFs.ParseLong(rest, ref pos);
        return startTime is { } t ? new ProcessStat(state, (ulong)t) : null;
    }

    /// <summary>True while <paramref name="pid"/> is the very process that started at <paramref name="startTime"/> and has not exited.</summary>
    public static bool IsAlive(string statPath, ulong startTime) =>
        Read(statPath) is { } stat && stat.StartTime == startTime && !stat.HasExited;
}
