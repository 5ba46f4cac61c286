using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// Decides once per node engine whether guests run under KVM or TCG (<see cref="KvmProbe"/>), and says why. The probe needs
/// a Linux kernel: the operator's (<see cref="NodeEngineOptions.VmProbeKernel"/>), the host's own, or else the first one a
/// vm instance boots; until then nothing is decided. When the operator forbids TCG and KVM does not work, the runtime is
/// not offered.
/// </summary>
internal sealed class VmAcceleration(NodeEngineOptions options, string qemu, ILogger logger)
{
    public const string Auto = "auto";

    /// <summary>A working KVM boots the probe in well under a second; TCG on a busy machine takes some seconds.</summary>
    private static readonly TimeSpan ProbeDeadline = TimeSpan.FromSeconds(20);

    private readonly SemaphoreSlim _gate = new(1, 1);

    public VmAccelerator? Decided { get; private set; }

    /// <summary>What instances' RUNNING detail carries: the accelerator and, for TCG, why and that it is slow.</summary>
    public string? Note { get; private set; }

    /// <summary>Why no guest can run (TCG forbidden, KVM not working); null otherwise.</summary>
    public string? Refusal { get; private set; }

    /// <summary>
    /// The accelerator, probing KVM the first time with the operator's or the host's kernel, else <paramref name="linuxKernel"/>
    /// (a bzImage about to be booted). Null when <see cref="Refusal"/> says why none can be used.
    /// </summary>
    public async Task<VmAccelerator?> DecideAsync(string? linuxKernel, CancellationToken ct)
    {
        if (Decided is not null || Refusal is not null)
        {
            return Decided;
        }

        await _gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (Decided is null && Refusal is null)
            {
                await DecideLockedAsync(linuxKernel, ct).ConfigureAwait(false);
            }

            return Decided;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The kernel the probe can boot before any instance asks: the operator's, else the host's own; null when none.</summary>
    public string? ProbeKernel()
    {
        if (options.VmProbeKernel is { Length: > 0 } configured)
        {
            return configured;
        }

        var release = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "";
        string[] candidates = [$"/boot/vmlinuz-{release}", "/vmlinuz"];
        return candidates.FirstOrDefault(k => File.Exists(k) && KernelImage.Problem(k, k) is null);
    }

    private async Task DecideLockedAsync(string? linuxKernel, CancellationToken ct)
    {
        var mode = options.VmAccelerator.Trim().ToLowerInvariant();
        if (mode == "tcg")
        {
            Decide(VmAccelerator.Tcg, "tcg (chosen by the node's operator): emulated CPU, slow");
            return;
        }

        if (mode == "kvm")
        {
            Decide(VmAccelerator.Kvm, "kvm (chosen by the node's operator)");
            return;
        }

        var problem = KvmProbe.DeviceProblem();
        if (problem is null)
        {
            var kernel = ProbeKernel() ?? linuxKernel;
            if (kernel is null)
            {
                problem = "KVM untested: no Linux kernel to try it with (set Node:VmProbeKernel)";
            }
            else
            {
                VmLog.Probing(logger, kernel);
                problem = await KvmProbe.BootProblemAsync(qemu, kernel, ProbeDeadline, ct).ConfigureAwait(false);
            }
        }

        if (problem is null)
        {
            Decide(VmAccelerator.Kvm, "kvm");
        }
        else if (options.VmAllowTcg)
        {
            Decide(VmAccelerator.Tcg, $"tcg: emulated CPU, slow ({problem})");
        }
        else
        {
            Refusal = $"KVM cannot run guests on this node ({problem}) and its operator does not allow TCG (Node:VmAllowTcg)";
            VmLog.Refused(logger, Refusal);
        }
    }

    private void Decide(VmAccelerator accelerator, string note)
    {
        Note = note;
        Decided = accelerator;
        VmLog.Accelerator(logger, note);
    }
}
