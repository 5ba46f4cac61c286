using System.Buffers.Binary;
using System.Text;
using Canopy.NodeEngine.Linux;

namespace Canopy.NodeEngine.Tests.Units;

public sealed class ElfExecutableTests
{
    private const string Loader = "/lib64/ld-linux-x86-64.so.2";

    [Theory]
    [InlineData(true, true)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(false, false)]
    public void An_interpreter_header_makes_it_dynamic_and_names_the_loader(bool wide, bool littleEndian)
    {
        var found = ElfExecutable.Inspect(Elf(wide, littleEndian, interpreter: Loader));

        found.Linking.ShouldBe(ElfLinking.Dynamic);
        found.Interpreter.ShouldBe(Loader);
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    public void Without_an_interpreter_header_it_is_static(bool wide, bool littleEndian)
    {
        ElfExecutable.Inspect(Elf(wide, littleEndian, interpreter: null)).Linking.ShouldBe(ElfLinking.Static);
    }

    [Fact]
    public void Text_short_files_and_headers_pointing_outside_the_file_are_not_elf()
    {
        ElfExecutable.Inspect("#!/bin/sh\necho hello, this is a script and not an executable\n"u8).Linking.ShouldBe(ElfLinking.NotElf);
        ElfExecutable.Inspect(Elf(true, true, Loader).AsSpan(0, 40)).Linking.ShouldBe(ElfLinking.NotElf);

        var broken = Elf(true, true, Loader);
        BinaryPrimitives.WriteUInt64LittleEndian(broken.AsSpan(32), ulong.MaxValue - 8); // program header table offset
        ElfExecutable.Inspect(broken).Linking.ShouldBe(ElfLinking.NotElf);

        var badClass = Elf(true, true, Loader);
        badClass[4] = 7;
        ElfExecutable.Inspect(badClass).Linking.ShouldBe(ElfLinking.NotElf);
    }

    [Fact]
    public void Debians_busybox_static_is_static_and_ls_is_dynamic()
    {
        Support.Prerequisites.Check();

        ElfExecutable.Inspect(File.ReadAllBytes(Support.Prerequisites.Busybox)).Linking.ShouldBe(ElfLinking.Static);
        var ls = ElfExecutable.Inspect(File.ReadAllBytes("/bin/ls"));
        ls.Linking.ShouldBe(ElfLinking.Dynamic);
        ls.Interpreter.ShouldNotBeNull().ShouldContain("ld-");
    }

    /// <summary>An ELF header, a program header table with a LOAD entry (and an INTERP entry when asked), then the loader's name.</summary>
    private static byte[] Elf(bool wide, bool littleEndian, string? interpreter)
    {
        var headerSize = wide ? 64 : 52;
        var entrySize = wide ? 56 : 32;
        var entries = interpreter is null ? 1 : 2;
        var stringAt = headerSize + (entries * entrySize);
        var name = Encoding.ASCII.GetBytes((interpreter ?? "") + "\0");
        var file = new byte[stringAt + name.Length + 16];
        "\u007fELF"u8.CopyTo(file);
        file[4] = (byte)(wide ? 2 : 1);
        file[5] = (byte)(littleEndian ? 1 : 2);
        file[6] = 1;
        Write16(file, 16, 2); // ET_EXEC
        if (wide)
        {
            Write64(file, 32, (ulong)headerSize);
            Write16(file, 54, (ushort)entrySize);
            Write16(file, 56, (ushort)entries);
        }
        else
        {
            Write32(file, 28, (uint)headerSize);
            Write16(file, 42, (ushort)entrySize);
            Write16(file, 44, (ushort)entries);
        }

        Write32(file, headerSize, 1); // PT_LOAD
        if (interpreter is not null)
        {
            var entry = headerSize + entrySize;
            Write32(file, entry, 3); // PT_INTERP
            if (wide)
            {
                Write64(file, entry + 8, (ulong)stringAt);
                Write64(file, entry + 32, (ulong)name.Length);
            }
            else
            {
                Write32(file, entry + 4, (uint)stringAt);
                Write32(file, entry + 16, (uint)name.Length);
            }

            name.CopyTo(file, stringAt);
        }

        return file;

        void Write16(byte[] b, int at, ushort v)
        {
            if (littleEndian)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(b.AsSpan(at), v);
            }
        }

        void Write32(byte[] b, int at, uint v)
        {
            if (littleEndian)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(at), v);
            }
        }

        void Write64(byte[] b, int at, ulong v)
        {
            if (littleEndian)
            {
                BinaryPrimitives.WriteUInt64LittleEndian(b.AsSpan(at), v);
            }
            else
            {
                BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(at), v);
            }
        }
    }
}
