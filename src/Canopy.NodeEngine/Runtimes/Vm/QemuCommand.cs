using System.Globalization;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// The argv of one guest. No default devices (<c>-nodefaults</c>): the serial console on stdout, which the process
/// wrapper appends to the instance log; one virtio NIC on QEMU user networking, whose only way in are the SLA's port
/// forwards; a QMP socket in the instance directory for the clean stop; and <c>-no-reboot</c>, so a guest that reboots
/// or panics with a timeout ends the process and the restart policy decides.
/// </summary>
internal static class QemuCommand
{
    /// <summary>The console goes to the first serial port; the rest of the command line comes after, so it can override.</summary>
    public const string BaseCmdline = "console=ttyS0";

    /// <summary>The TCG translation cache in MB: QEMU's default (1 GiB on 64-bit hosts) would let one guest grow far past its memory.</summary>
    public const int TcgCacheMb = 32;

    public static List<string> Build(
        string qemu, string name, VmBoot boot, VmAccelerator accelerator, int memoryMb, int cpus,
        IReadOnlyList<VmForward> forwards, string qmpSocket)
    {
        var argv = new List<string>
        {
            qemu, "-name", name, "-nodefaults", "-no-user-config", "-M", "pc",
        };
        argv.AddRange(AcceleratorArgs(accelerator));
        argv.AddRange(
        [
            "-m", memoryMb.ToString(CultureInfo.InvariantCulture),
            "-smp", cpus.ToString(CultureInfo.InvariantCulture),
            "-display", "none", "-serial", "stdio", "-no-reboot",
            "-kernel", boot.Kernel,
        ]);
        if (boot.Initrd is { } initrd)
        {
            argv.AddRange(["-initrd", initrd]);
        }

        argv.AddRange(["-append", string.IsNullOrWhiteSpace(boot.ExtraCmdline) ? BaseCmdline : $"{BaseCmdline} {boot.ExtraCmdline.Trim()}"]);

        // Host ports bind on every address, as an exec instance's would: the instance is reached at the node's IP.
        var netdev = "user,id=net0" + string.Concat(forwards.Select(f =>
            $",hostfwd={f.Protocol}:0.0.0.0:{f.HostPort.ToString(CultureInfo.InvariantCulture)}-:{f.GuestPort.ToString(CultureInfo.InvariantCulture)}"));
        argv.AddRange(["-netdev", netdev, "-device", "virtio-net-pci,netdev=net0,romfile="]);
        argv.AddRange(["-qmp", $"unix:{qmpSocket},server=on,wait=off"]);

        // A guest may end QEMU with an exit code of its choice (value v written to port 0xf4 → exit code v * 2 + 1), as
        // unikernel test harnesses do; the instance's exit code is then the guest's.
        argv.AddRange(["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]);
        return argv;
    }

    /// <summary>KVM with the host's CPU model (what a guest gets and what <see cref="KvmProbe"/> tries), or TCG with a bounded cache.</summary>
    public static string[] AcceleratorArgs(VmAccelerator accelerator) => accelerator == VmAccelerator.Kvm
        ? ["-accel", "kvm", "-cpu", "host"]
        : ["-accel", $"tcg,tb-size={TcgCacheMb.ToString(CultureInfo.InvariantCulture)}"];

    /// <summary>
    /// Guest memory in MB: the SLA's, or <paramref name="defaultMb"/> when it sets none, but at least
    /// <paramref name="minimumMb"/>: a Linux kernel resets silently while decompressing itself into less.
    /// </summary>
    public static int MemoryMb(int slaMemoryMb, int defaultMb, int minimumMb) => Math.Max(slaMemoryMb > 0 ? slaMemoryMb : defaultMb, minimumMb);

    /// <summary>Virtual CPUs: the SLA's cores rounded up, at least one.</summary>
    public static int Cpus(double slaVcpus) => slaVcpus > 0 ? Math.Max(1, (int)Math.Ceiling(slaVcpus)) : 1;
}
