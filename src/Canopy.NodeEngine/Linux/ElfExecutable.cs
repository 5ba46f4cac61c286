using System.Buffers.Binary;
using System.Text;

namespace Canopy.NodeEngine.Linux;

/// <summary>How an executable file is linked, from its ELF header and program headers.</summary>
public enum ElfLinking
{
    /// <summary>Not an ELF file, or one too short or inconsistent to read.</summary>
    NotElf,

    /// <summary>No <c>PT_INTERP</c> program header: the kernel runs it without a dynamic loader (static, or static-pie).</summary>
    Static,

    /// <summary>Names a dynamic loader (<c>PT_INTERP</c>): it needs that loader and its libraries at run time.</summary>
    Dynamic,
}

/// <summary>
/// What <see cref="ElfExecutable.Inspect"/> found; <see cref="Interpreter"/> is the loader a dynamic executable names,
/// <see cref="Machine"/> its <c>e_machine</c> (the CPU it is for; 0 when not ELF).
/// </summary>
public readonly record struct ElfInspection(ElfLinking Linking, string? Interpreter = null, ushort Machine = 0);

/// <summary>
/// Reads just enough of an ELF file to tell a static executable from a dynamic one. An image built from a dynamic
/// executable has no loader or libraries in it: every process in it dies at once (for the pause image: runc's
/// <c>namespace path: lstat /proc/N/ns/ipc</c> on every pod).
/// </summary>
public static class ElfExecutable
{
    /// <summary><c>e_machine</c> of x86-64 executables.</summary>
    public const ushort MachineX64 = 62;

    /// <summary><c>e_machine</c> of AArch64 (arm64) executables.</summary>
    public const ushort MachineArm64 = 183;

    private const uint PtInterp = 3;

    /// <summary>The <c>e_machine</c> of executables for <paramref name="architecture"/>; null for one Canopy does not build for.</summary>
    public static ushort? MachineOf(System.Runtime.InteropServices.Architecture architecture) => architecture switch
    {
        System.Runtime.InteropServices.Architecture.X64 => MachineX64,
        System.Runtime.InteropServices.Architecture.Arm64 => MachineArm64,
        _ => null,
    };

    public static ElfInspection Inspect(ReadOnlySpan<byte> file)
    {
        if (file.Length < 52 || file[0] != 0x7F || file[1] != (byte)'E' || file[2] != (byte)'L' || file[3] != (byte)'F')
        {
            return new(ElfLinking.NotElf);
        }

        var is64 = file[4] switch
        {
            1 => false,
            2 => true,
            _ => (bool?)null,
        };
        var little = file[5] switch
        {
            1 => true,
            2 => false,
            _ => (bool?)null,
        };
        if (is64 is not { } wide || little is not { } le || (wide && file.Length < 64))
        {
            return new(ElfLinking.NotElf);
        }

        var header = new Reader(file, le);
        var machine = header.U16(18);
        var tableOffset = wide ? header.U64(32) : header.U32(28);
        var entrySize = header.U16(wide ? 54 : 42);
        var entries = header.U16(wide ? 56 : 44);
        if (entries > 0 && (entrySize < (wide ? 56 : 32) || tableOffset > (ulong)file.Length ||
                            tableOffset + ((ulong)entries * entrySize) > (ulong)file.Length))
        {
            return new(ElfLinking.NotElf);
        }

        for (var i = 0; i < entries; i++)
        {
            var entry = (int)tableOffset + (i * entrySize);
            if (header.U32(entry) != PtInterp)
            {
                continue;
            }

            var offset = wide ? header.U64(entry + 8) : header.U32(entry + 4);
            var size = wide ? header.U64(entry + 32) : header.U32(entry + 16);
            var interpreter = offset <= (ulong)file.Length && size <= (ulong)file.Length - offset
                ? Encoding.UTF8.GetString(file.Slice((int)offset, (int)size)).TrimEnd('\0')
                : null;
            return new(ElfLinking.Dynamic, interpreter, machine);
        }

        return new(ElfLinking.Static, Machine: machine);
    }

    private readonly ref struct Reader(ReadOnlySpan<byte> bytes, bool littleEndian)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public ushort U16(int at) => littleEndian
            ? BinaryPrimitives.ReadUInt16LittleEndian(_bytes[at..])
            : BinaryPrimitives.ReadUInt16BigEndian(_bytes[at..]);

        public uint U32(int at) => littleEndian
            ? BinaryPrimitives.ReadUInt32LittleEndian(_bytes[at..])
            : BinaryPrimitives.ReadUInt32BigEndian(_bytes[at..]);

        public ulong U64(int at) => littleEndian
            ? BinaryPrimitives.ReadUInt64LittleEndian(_bytes[at..])
            : BinaryPrimitives.ReadUInt64BigEndian(_bytes[at..]);
    }
}
