using System.Formats.Tar;
using System.IO.Compression;
using Canopy.Contracts;
using Canopy.NodeEngine.Runtimes.Vm;

namespace Canopy.NodeEngine.Tests.Vm;

/// <summary>The vm runtime's pieces that need no QEMU: command line, image choice, kernel check, bundle, QEMU's usernet table.</summary>
public sealed class VmPiecesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("canopy-vm-pieces-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_command_line_has_memory_cpus_console_forwards_and_the_QMP_socket()
    {
        var argv = QemuCommand.Build(
            "/usr/bin/qemu-system-x86_64", "canopy-s.0", new VmBoot("/k", "/i", "canopy.port=80 quiet"), VmAccelerator.Tcg,
            memoryMb: 192, cpus: 2, [new VmForward("tcp", 18080, 80), new VmForward("udp", 15353, 53)], "/d/home/qmp.sock");

        string.Join(' ', argv).ShouldBe(
            "/usr/bin/qemu-system-x86_64 -name canopy-s.0 -nodefaults -no-user-config -M pc -accel tcg,tb-size=32 -m 192 -smp 2 " +
            "-display none -serial stdio -no-reboot -kernel /k -initrd /i -append console=ttyS0 canopy.port=80 quiet " +
            "-netdev user,id=net0,hostfwd=tcp:0.0.0.0:18080-:80,hostfwd=udp:0.0.0.0:15353-:53 -device virtio-net-pci,netdev=net0,romfile= " +
            "-qmp unix:/d/home/qmp.sock,server=on,wait=off -device isa-debug-exit,iobase=0xf4,iosize=0x04");
        QemuCommand.AcceleratorArgs(VmAccelerator.Kvm).ShouldBe(["-accel", "kvm", "-cpu", "host"]);
    }

    [Theory]
    [InlineData(0, 128)]
    [InlineData(64, 96)]
    [InlineData(256, 256)]
    public void Guest_memory_is_the_SLAs_with_a_default_and_a_floor(int sla, int guest) =>
        QemuCommand.MemoryMb(sla, defaultMb: 128, minimumMb: 96).ShouldBe(guest);

    [Theory]
    [InlineData(0, 1)]
    [InlineData(0.5, 1)]
    [InlineData(1.2, 2)]
    [InlineData(4, 4)]
    public void Vcpus_are_the_SLAs_cores_rounded_up(double vcpus, int cpus) => QemuCommand.Cpus(vcpus).ShouldBe(cpus);

    [Theory]
    [InlineData("vm_images")]
    [InlineData("code")] // Oakestra's spelling: its node engine splits code on commas
    public void Entry_i_of_vm_images_or_of_a_comma_separated_code_is_for_arch_i(string field)
    {
        var spec = field == "vm_images"
            ? Spec() with { Code = "ignored", Arch = ["arm64", "x86_64"], VmImages = ["http://x/arm", "http://x/amd"] }
            : Spec() with { Code = "http://x/arm, http://x/amd", Arch = ["arm64", "x86_64"] };

        VmImageChoice.Choose(spec, "amd64", out _).ShouldBe("http://x/amd");
        VmImageChoice.Choose(spec, "arm64", out _).ShouldBe("http://x/arm");
        VmImageChoice.Choose(spec, "riscv64", out var missing).ShouldBeNull();
        missing.ShouldBe($"{field} has no image for this node's architecture riscv64 (arch: arm64, x86_64)");
        VmImageChoice.Choose(spec with { Arch = ["amd64"] }, "amd64", out var mismatch).ShouldBeNull();
        mismatch.ShouldBe($"{field} has 2 entries and arch 1: entry i of {field} is the image for arch[i]");
    }

    [Fact]
    public void Without_a_list_code_is_the_kernel_for_every_architecture_and_vm_images_wins_over_a_list_in_code()
    {
        VmImageChoice.Choose(Spec() with { Code = " http://x/k ", Arch = ["amd64", "arm64"] }, "arm64", out _).ShouldBe("http://x/k");
        VmImageChoice.Choose(Spec() with { Code = "http://x/a,http://x/b", Arch = ["amd64"], VmImages = ["http://x/v"] }, "amd64", out _)
            .ShouldBe("http://x/v");
        VmImageChoice.Choose(Spec(), "amd64", out var none).ShouldBeNull();
        none.ShouldNotBeNull().ShouldContain("vm services need code");
    }

    [Fact]
    public void A_kernel_is_a_bzImage_or_an_x86_ELF_and_nothing_else()
    {
        var bz = new byte[0x300];
        "HdrS"u8.CopyTo(bz.AsSpan(0x202));
        KernelImage.Problem(Write("bz", bz), "kernel bz").ShouldBeNull();
        KernelImage.IsBzImage(Path.Combine(_dir, "bz")).ShouldBeTrue();

        KernelImage.Problem(Write("x86elf", Elf(machine: 62)), "kernel x86elf").ShouldBeNull();
        KernelImage.Problem(Write("armelf", Elf(machine: 183)), "kernel armelf").ShouldNotBeNull().ShouldContain("another architecture (e_machine 183)");
        KernelImage.Problem(Write("text", "hello"u8.ToArray()), "kernel text").ShouldNotBeNull().ShouldContain("kernel text is not a kernel image");
        KernelImage.IsBzImage(Path.Combine(_dir, "text")).ShouldBeFalse();
    }

    [Fact]
    public void A_bundle_gives_kernel_initrd_and_cmdline_and_a_bare_kernel_is_copied()
    {
        var bundle = Path.Combine(_dir, "bundle.tar.gz");
        using (var file = File.Create(bundle))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip))
        {
            foreach (var (name, text) in new[] { ("./kernel", "K"), ("initrd", "I"), ("cmdline", "quiet\nfoo=1\n"), ("other", "x") })
            {
                tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(text)) });
            }
        }

        var boot = VmBundle.Open(bundle, "sha256:1", Path.Combine(_dir, "boot1"), "kernel b", 1024, out var problem).ShouldNotBeNull(problem);
        File.ReadAllText(boot.Kernel).ShouldBe("K");
        File.ReadAllText(boot.Initrd.ShouldNotBeNull()).ShouldBe("I");
        boot.ExtraCmdline.ShouldBe("quiet foo=1");
        File.Exists(Path.Combine(_dir, "boot1", "other")).ShouldBeFalse();

        var bare = VmBundle.Open(Write("k", "KERNEL"u8.ToArray()), "sha256:2", Path.Combine(_dir, "boot2"), "kernel k", 1024, out _).ShouldNotBeNull();
        File.ReadAllText(bare.Kernel).ShouldBe("KERNEL");
        bare.Initrd.ShouldBeNull();
        bare.ExtraCmdline.ShouldBe("");

        VmBundle.Open(bundle, "sha256:3", Path.Combine(_dir, "boot3"), "kernel b", 0, out var tooBig).ShouldBeNull();
        tooBig.ShouldNotBeNull().ShouldContain("more than the 0 allowed");
    }

    [Fact]
    public void Only_a_connection_past_the_handshake_to_the_guest_port_shows_the_guest_serves()
    {
        const string booting = """
            Hub -1 (#net004):
              Protocol[State]    FD  Source Address  Port   Dest. Address  Port RecvQ SendQ
              TCP[SYN_SENT]      14       127.0.0.1 18080       10.0.2.15  8080     0     0
              TCP[HOST_FORWARD]   9       127.0.0.1 18080       10.0.2.15  8080     0     0
            """;
        GuestPortProbe.HasAccepted(booting, 8080).ShouldBeFalse();
        GuestPortProbe.HasAccepted(booting.Replace("TCP[SYN_SENT]   ", "TCP[ESTABLISHED]"), 8080).ShouldBeTrue();
        GuestPortProbe.HasAccepted(booting.Replace("TCP[SYN_SENT]   ", "TCP[ESTABLISHED]"), 80).ShouldBeFalse();
    }

    private static ServiceSpec Spec() => new() { ServiceId = "s", JobName = "a.b.c.d", Virtualization = "vm" };

    private string Write(string name, byte[] content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, content);
        return path;
    }

    private static byte[] Elf(ushort machine)
    {
        var elf = new byte[64];
        "\u007fELF"u8.CopyTo(elf);
        elf[4] = 2;
        elf[5] = 1;
        BitConverter.TryWriteBytes(elf.AsSpan(18), machine);
        return elf;
    }
}
