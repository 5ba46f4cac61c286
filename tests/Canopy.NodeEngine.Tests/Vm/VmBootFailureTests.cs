using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Runtimes.Vm;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Canopy.NodeEngine.Tests.Vm;

/// <summary>Guests that never come up, and the KVM probe (separate from <see cref="VmRuntimeTests"/> so they boot in parallel).</summary>
public sealed class VmBootFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan BootTimeout = TimeSpan.FromSeconds(20);

    private VmHarness _node = null!;

    public async Task InitializeAsync() => _node = await VmHarness.StartAsync(o => o.VmBootTimeout = BootTimeout);

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_guest_that_never_serves_fails_after_the_boot_deadline_and_is_not_restarted()
    {
        // No init in the initramfs: the kernel panics and, without panic=, waits forever; its port never answers.
        var spec = _node.Spec(Ports.Free()) with { Cmd = ["rdinit=/no-such-init", "init=/no-such-init"] };
        var key = new InstanceKey(spec.ServiceId, 0);

        await _node.DeployAsync(spec);

        var failed = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Failed, "failed");
        failed.StatusDetail.ShouldNotBeNull().ShouldContain("guest did not boot within 20 s");
        failed.StatusDetail.ShouldContain("port 80 did not answer");
        VmHarness.QemuProcessesOf(key).ShouldBeEmpty();
        _node.CgroupOf(key).Directories.ShouldAllBe(dir => !Directory.Exists(dir));
        _node.ReadLog(key).ShouldContain("Kernel panic");

        // Final: no second boot after the restart back-off.
        await Task.Delay(RestartRules.InitialDelay * 3);
        _node.Runtime.Find(key).ShouldNotBeNull().Status.ShouldBe(InstanceStatus.Failed);
        _node.EventsOf(key).Count(e => e.Report.Status == InstanceStatus.Creating).ShouldBe(1);
    }

    [Fact]
    public async Task The_KVM_probe_decides_for_kvm_only_when_a_Linux_kernel_boots_under_it()
    {
        var guest = await VmGuest.GetAsync();
        var options = new NodeEngineOptions { DataDir = _node.Node.DataDir, VmProbeKernel = guest.Kernel };
        var acceleration = new VmAcceleration(options, HostCommand.Find(VmGuest.Qemu)!, NullLogger.Instance);

        var decided = await acceleration.DecideAsync(null, CancellationToken.None);

        decided.ShouldNotBeNull();
        var note = acceleration.Note.ShouldNotBeNull();
        if (decided == VmAccelerator.Tcg)
        {
            // Here: /dev/kvm missing, or present but a Linux guest does not boot under it (nested KVM); the note says which.
            note.ShouldStartWith("tcg: emulated CPU, slow (");
        }
        else
        {
            note.ShouldBe("kvm");
            return;
        }

        // Where KVM does not work, an operator who forbids TCG gets no vm runtime, and is told why.
        await using var forbidding = await VmHarness.StartAsync(o =>
        {
            o.VmAccelerator = VmAcceleration.Auto;
            o.VmAllowTcg = false;
            o.VmProbeKernel = guest.Kernel;
        });
        await Eventually.True(() => !forbidding.Runtime.IsAvailable, "vm withdrawn", TimeSpan.FromSeconds(60));
        forbidding.Runtime.UnavailableReason.ShouldNotBeNull().ShouldContain("its operator does not allow TCG (Node:VmAllowTcg)");
    }
}
