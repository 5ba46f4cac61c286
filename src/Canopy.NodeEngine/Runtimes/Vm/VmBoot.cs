namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>What one guest boots: a kernel, its optional initrd, and the kernel command line the SLA or the bundle adds.</summary>
internal sealed record VmBoot(string Kernel, string? Initrd, string ExtraCmdline);

/// <summary>A TCP or UDP port of the node forwarded to the guest through QEMU user networking.</summary>
internal sealed record VmForward(string Protocol, int HostPort, int GuestPort);
