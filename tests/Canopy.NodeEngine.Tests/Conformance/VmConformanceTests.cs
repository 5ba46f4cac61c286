using Canopy.Contracts;
using Canopy.NodeEngine.Tests.Vm;
using Canopy.Testing;

namespace Canopy.NodeEngine.Tests.Conformance;

public sealed class VmConformanceTests() : RuntimeConformanceTests(new VmUnderTest(VmHarness.StartAsync().GetAwaiter().GetResult()));

/// <summary>
/// The vm runtime (QEMU under TCG) with the project's test guest (<see cref="VmGuest"/>): its kernel command line makes it
/// serve, print or end with an exit code.
/// </summary>
public sealed class VmUnderTest(VmHarness vm) : ProcessRuntimeUnderTest(vm.Node), IAsyncDisposable
{
    public override string PagePath => "/";

    public override string PageText => VmGuest.PageMark;

    public override ServiceSpec Serving(string serviceId, int port) => vm.Spec(serviceId, port);

    public override ServiceSpec Printing(string serviceId, string word) => vm.Spec(serviceId, null) with { Cmd = [$"canopy.say={word}"] };

    public override ServiceSpec Exiting(string serviceId, int exitCode) => vm.Spec(serviceId, null) with { Cmd = [$"canopy.exit={exitCode}"] };

    public override ServiceSpec Idle(string serviceId) => vm.Spec(serviceId, null);

    /// <summary>The whole harness: the file server and any QEMU left, besides what the process harness removes.</summary>
    public new ValueTask DisposeAsync() => vm.DisposeAsync();

    public override (ServiceSpec Spec, string Reason) Invalid(string serviceId)
    {
        vm.Files.Add("not-a-kernel", "#!/bin/sh\necho not a kernel\n"u8.ToArray());
        return (vm.Spec(serviceId, null, "not-a-kernel"), "is not a kernel image");
    }
}
