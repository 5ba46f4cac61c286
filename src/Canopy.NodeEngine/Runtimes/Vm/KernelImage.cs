using System.Buffers.Binary;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// What QEMU's <c>-kernel</c> boots on x86: a Linux bzImage (the "HdrS" signature of its setup header at 0x202) or an ELF
/// image for x86 (multiboot or PVH, as unikernels are built). Anything else is refused before QEMU starts, so a wrong file
/// fails the instance with a reason instead of a guest that never boots.
/// </summary>
internal static class KernelImage
{
    private const int SetupHeaderMagicOffset = 0x202;
    private const ushort MachineX86 = 3;
    private const ushort MachineX86_64 = 62;

    /// <summary>Why <paramref name="path"/> is not a kernel QEMU can boot; null when it is one.</summary>
    public static string? Problem(string path, string what)
    {
        Span<byte> head = stackalloc byte[0x210];
        int read;
        try
        {
            using var file = File.OpenRead(path);
            read = file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (IOException e)
        {
            return $"cannot read {what}: {e.Message}";
        }

        head = head[..read];
        if (IsElf(head, out var machine))
        {
            return machine is MachineX86 or MachineX86_64
                ? null
                : $"{what} is an ELF image for another architecture (e_machine {machine}); qemu-system-x86_64 boots x86 kernels";
        }

        if (head.Length >= SetupHeaderMagicOffset + 4 && head.Slice(SetupHeaderMagicOffset, 4).SequenceEqual("HdrS"u8))
        {
            return null;
        }

        return $"{what} is not a kernel image (neither a Linux bzImage with the HdrS header nor an x86 ELF image)";
    }

    /// <summary>A Linux bzImage: what the KVM probe can boot to its panic.</summary>
    public static bool IsBzImage(string path)
    {
        Span<byte> head = stackalloc byte[SetupHeaderMagicOffset + 4];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length
            && head.Slice(SetupHeaderMagicOffset, 4).SequenceEqual("HdrS"u8);
    }

    private static bool IsElf(ReadOnlySpan<byte> head, out ushort machine)
    {
        machine = 0;
        if (head.Length < 20 || !head[..4].SequenceEqual("\u007fELF"u8))
        {
            return false;
        }

        // e_machine at 18, in the byte order EI_DATA (offset 5) names: 1 little, 2 big endian.
        machine = head[5] == 2
            ? BinaryPrimitives.ReadUInt16BigEndian(head[18..])
            : BinaryPrimitives.ReadUInt16LittleEndian(head[18..]);
        return true;
    }
}
