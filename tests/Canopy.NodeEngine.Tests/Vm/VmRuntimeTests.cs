using Canopy.Core.States;
using Canopy.NodeEngine.Instances;
using Canopy.NodeEngine.Linux;
using Canopy.NodeEngine.Tests.Support;
using Canopy.Testing;

namespace Canopy.NodeEngine.Tests.Vm;

/// <summary>The vm runtime end to end with real QEMU (TCG) and the project's test guest.</summary>
public sealed class VmRuntimeTests : IAsyncLifetime
{
    private VmHarness _node = null!;

    public async Task InitializeAsync() => _node = await VmHarness.StartAsync();

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task A_guest_serves_its_page_is_restarted_when_QEMU_is_killed_and_its_removal_leaves_nothing()
    {
        var port = Ports.Free();
        var spec = _node.Spec(port);
        var key = new InstanceKey(spec.ServiceId, 0);

        await _node.DeployAsync(spec);
        var running = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Running, "running");

        running.StatusDetail.ShouldNotBeNull().ShouldContain("tcg");
        running.InstanceIp.ShouldNotBeNullOrEmpty();
        (await Http.GetEventuallyAsync(port, "/")).ShouldContain(VmGuest.PageMark);
        _node.ReadLog(key).ShouldContain(VmGuest.ReadyLine);
        (await _node.Runtime.StatsAsync(key, CancellationToken.None)).ShouldNotBeNull().MemoryMb.ShouldBeGreaterThan(0);

        var qemu = VmHarness.QemuOf(running);
        LibC.Kill(qemu, LibC.SigKill).ShouldBeTrue();
        var again = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Running && r.RestartCount == 1, "running again");
        again.Pid.ShouldNotBe(running.Pid);
        _node.EventsOf(key).ShouldContain(e => e.Report.Status == InstanceStatus.Dead);
        (await Http.GetEventuallyAsync(port, "/")).ShouldContain(VmGuest.PageMark);

        var removed = await _node.Runtime.RemoveAsync(key, CancellationToken.None);

        removed.Status.ShouldBe(InstanceStatus.Undeployed);
        VmHarness.QemuProcessesOf(key).ShouldBeEmpty();
        Procs.IsAlive(again.Pid!.Value).ShouldBeFalse();
        Directory.Exists(_node.InstanceDir(key)).ShouldBeFalse();
        _node.CgroupOf(key).Directories.ShouldAllBe(dir => !Directory.Exists(dir));
    }

    [Fact]
    public async Task A_stop_presses_the_power_button_and_the_guest_shuts_down_on_its_own()
    {
        var port = Ports.Free();

        // Oakestra's fields: the image of this node's architecture (an OCI artifact in the local registry), not the other
        // one (which does not exist).
        await TestImageRegistry.UpAsync();
        var guest = await VmGuest.GetAsync();
        await TestImageRegistry.PushArtifactAsync("canopy/vm-guest-test:1", guest.Bundle, TestImageRegistry.VmBundle);
        var spec = _node.Spec(port) with
        {
            Code = "",
            Arch = ["arm64", "amd64"],
            VmImages = [_node.Files.Url("no-such-arm64-kernel"), $"{TestImageRegistry.Address}/canopy/vm-guest-test:1"],
        };
        var key = new InstanceKey(spec.ServiceId, 0);
        await _node.DeployAsync(spec);
        var running = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Running, "running");
        var qemu = VmHarness.QemuOf(running);

        await _node.Runtime.StopAsync(key, CancellationToken.None);

        Procs.IsAlive(qemu).ShouldBeFalse();
        var console = _node.ReadLog(key);
        console.ShouldContain("power button pressed, powering off");
        console.ShouldContain("reboot: Power down");
        File.ReadAllText(Path.Combine(_node.InstanceDir(key), "exit")).Trim().ShouldBe("0", "QEMU ended by itself, not by a signal");
    }

    [Fact]
    public async Task A_file_that_is_not_a_kernel_fails_the_instance_without_starting_QEMU()
    {
        _node.Files.Add("not-a-kernel", "#!/bin/sh\necho this is a script\n"u8.ToArray());
        var spec = _node.Spec(Ports.Free(), "not-a-kernel");
        var key = new InstanceKey(spec.ServiceId, 0);

        await _node.DeployAsync(spec);

        var failed = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Failed, "failed");
        failed.StatusDetail.ShouldNotBeNull().ShouldContain("is not a kernel image");
        failed.StatusDetail.ShouldContain("not-a-kernel");
        VmHarness.QemuProcessesOf(key).ShouldBeEmpty();
        _node.CgroupOf(key).Directories.ShouldAllBe(dir => !Directory.Exists(dir));
    }

    [Fact]
    public async Task Vm_images_without_this_nodes_architecture_fail_naming_it()
    {
        var spec = _node.Spec(Ports.Free()) with { Code = "", Arch = ["arm64"], VmImages = [_node.Files.Url("bundle.tar.gz")] };
        var key = new InstanceKey(spec.ServiceId, 0);

        await _node.DeployAsync(spec);

        var failed = await _node.WaitForAsync(key, r => r.Status == InstanceStatus.Failed, "failed");
        failed.StatusDetail.ShouldNotBeNull().ShouldContain("no image for this node's architecture amd64");
    }
}
