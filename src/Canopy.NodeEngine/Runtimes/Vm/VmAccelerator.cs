namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>How QEMU runs the guest's CPU: KVM (hardware, near native speed) or TCG (emulated, several times slower).</summary>
internal enum VmAccelerator
{
    Kvm,
    Tcg,
}
