using Canopy.Contracts;
using Canopy.Core.Descriptors;
using Canopy.NodeEngine.Cgroups;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Monitoring;
using Canopy.NodeEngine.Runtimes.Artifacts;
using Canopy.NodeEngine.Runtimes.Processes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// Runs each instance as a QEMU guest (Oakestra's <c>unikernel</c> runtime): <c>code</c> (or the <c>vm_images</c> entry
/// for this node's architecture) names a kernel image or a bundle of kernel, initrd and command line, fetched into the
/// artifact cache. QEMU is the instance's process under the process runtime's wrapper, cgroup, supervision and restart
/// policy; the guest's serial console is the instance log; the SLA's ports are forwarded from the node's (user networking,
/// so the instance's address is the node's, like exec). RUNNING once the guest serves its first TCP port (or, without
/// one, once it printed on its console); a clean stop presses the ACPI power button before the grace period ends in a kill.
/// </summary>
internal sealed partial class VmRuntime : ProcessRuntime
{
    /// <summary>What QEMU needs besides the guest's memory (its own code, devices, the TCG translation cache), added to the cgroup limit.</summary>
    public const int QemuOverheadMb = 128;

    private readonly ArtifactCache _artifacts;
    private readonly string _architecture;
    private readonly string? _qemu;
    private readonly VmAcceleration _acceleration;

    public VmRuntime(NodeEngineOptions options, CgroupLayout cgroups, NodeFacts facts, ArtifactCache artifacts, ILogger<VmRuntime>? logger = null)
        : this(options, cgroups, facts, artifacts, logger ?? (ILogger)NullLogger.Instance)
    {
    }

    private VmRuntime(NodeEngineOptions options, CgroupLayout cgroups, NodeFacts facts, ArtifactCache artifacts, ILogger logger)
        : base(options, cgroups, hosts: null, facts, logger, options.VmsDir, new RuntimeLog(logger, firstId: 8500, rotatedId: 8511))
    {
        _artifacts = artifacts;
        _architecture = facts.Architecture;
        _qemu = Executables.Find(options.QemuPath);
        _acceleration = new VmAcceleration(options, _qemu ?? options.QemuPath, logger);

        // Decided now when it can be (no KVM device, or a kernel to probe with); else by the first guest's kernel.
        if (_qemu is not null && (options.VmAccelerator != VmAcceleration.Auto || KvmProbe.DeviceProblem() is not null || _acceleration.ProbeKernel() is not null))
        {
            _ = Task.Run(() => _acceleration.DecideAsync(null, Disposing.Token));
        }
    }

    public override string Name => Virtualizations.Vm;

    public override bool IsAvailable => ProcessWrapper.IsAvailable && _qemu is not null && _acceleration.Refusal is null;

    public override string? UnavailableReason =>
        !ProcessWrapper.IsAvailable ? "setsid (util-linux) and /bin/sh are needed to run instances"
        : _qemu is null ? $"QEMU ({Options.QemuPath}) is not installed on this node: install qemu-system-x86"
        : _acceleration.Refusal;

    /// <summary>
    /// Under KVM QEMU needs /dev/kvm, which the instance's own user (no groups) cannot open: it then runs as root. (Read by the
    /// base's constructor too, before this runtime's fields are set.)
    /// </summary>
    protected override bool DropsRoot => base.DropsRoot && _acceleration?.Decided != VmAccelerator.Kvm;

    /// <summary>The guest's memory and QEMU's own; no limit when the SLA sets none.</summary>
    protected override int MemoryLimitMb(ServiceSpec spec) => spec.Memory > 0 ? GuestMemoryMb(spec) + QemuOverheadMb : 0;

    protected override string? RunningDetail(ProcessInstance instance, string? limitsNote) =>
        _acceleration.Note is not { } note ? limitsNote : limitsNote is null ? note : $"{note}; {limitsNote}";
}
