using System.Formats.Tar;
using System.IO.Compression;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// What <c>code</c> names: a kernel image on its own, or a bundle — a gzip-compressed tar holding <c>kernel</c>, and
/// optionally <c>initrd</c> and <c>cmdline</c> (one line, appended to the kernel command line). A bundle is unpacked into
/// the instance's <c>boot/</c> directory, once per digest; a kernel alone is copied there (the cache is the node engine's,
/// QEMU may run as the instance's own user).
/// </summary>
internal static class VmBundle
{
    public const string KernelName = "kernel";
    public const string InitrdName = "initrd";
    public const string CmdlineName = "cmdline";

    private const int MaxCmdlineBytes = 4096;

    /// <summary>True when the file starts as gzip does (a bundle); a kernel image does not.</summary>
    public static bool IsBundle(string path)
    {
        Span<byte> magic = stackalloc byte[2];
        using var file = File.OpenRead(path);
        return file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
    }

    /// <summary>
    /// The boot files of <paramref name="artifact"/> (digest <paramref name="digest"/>): the file itself as kernel, or the
    /// bundle unpacked into <paramref name="bootDir"/>. Null with <paramref name="problem"/> when the bundle is unusable.
    /// </summary>
    public static VmBoot? Open(string artifact, string digest, string bootDir, string what, long maxBytes, out string? problem)
    {
        problem = null;
        var kernel = Path.Combine(bootDir, KernelName);
        var initrd = Path.Combine(bootDir, InitrdName);
        var cmdline = Path.Combine(bootDir, CmdlineName);
        var stamp = Path.Combine(bootDir, "digest");
        if (!(File.Exists(stamp) && File.ReadAllText(stamp) == digest && File.Exists(kernel)))
        {
            if (Directory.Exists(bootDir))
            {
                Directory.Delete(bootDir, recursive: true);
            }

            Directory.CreateDirectory(bootDir);
            try
            {
                if (IsBundle(artifact))
                {
                    Unpack(artifact, bootDir, maxBytes);
                }
                else
                {
                    File.Copy(artifact, kernel);
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException or FormatException)
            {
                problem = $"{what} is not a usable bundle (a .tar.gz of kernel, initrd, cmdline): {e.Message}";
                return null;
            }

            if (!File.Exists(kernel))
            {
                problem = $"{what} is a bundle without a file named kernel (it holds kernel, optionally initrd and cmdline)";
                return null;
            }

            File.WriteAllText(stamp, digest);
        }

        var extra = File.Exists(cmdline) ? File.ReadAllText(cmdline).ReplaceLineEndings(" ").Trim() : "";
        return new VmBoot(kernel, File.Exists(initrd) ? initrd : null, extra);
    }

    private static void Unpack(string artifact, string bootDir, long maxBytes)
    {
        using var file = File.OpenRead(artifact);
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new TarReader(gzip);
        while (reader.GetNextEntry() is { } entry)
        {
            var name = entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name;
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile)
                || name is not (KernelName or InitrdName or CmdlineName))
            {
                continue;
            }

            var limit = name == CmdlineName ? MaxCmdlineBytes : maxBytes;
            if (entry.Length > limit)
            {
                throw new InvalidDataException($"its {name} is {entry.Length} bytes, more than the {limit} allowed");
            }

            if (entry.DataStream is { } data)
            {
                using var target = File.Create(Path.Combine(bootDir, name));
                data.CopyTo(target);
            }
        }
    }
}
