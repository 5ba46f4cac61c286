using Canopy.Contracts;
using Canopy.NodeEngine.Tests.Support;

namespace Canopy.NodeEngine.Tests.Conformance;

public sealed class ExecConformanceTests() : RuntimeConformanceTests(new ExecUnderTest());

/// <summary>The exec runtime over its own temporary data dir; the workloads are busybox commands.</summary>
public sealed class ExecUnderTest() : ProcessRuntimeUnderTest(new ExecHarness())
{
    public override string PagePath => "/index.html";

    public override string PageText => "hello from an exec instance";

    public override ServiceSpec Serving(string serviceId, int port) => ExecHarness.Httpd(serviceId, port, Node.MakeSite(PageText));

    public override ServiceSpec Printing(string serviceId, string word) => ExecHarness.Shell(serviceId, $"echo {word}; exec sleep 300");

    public override ServiceSpec Exiting(string serviceId, int exitCode) => ExecHarness.Shell(serviceId, $"exit {exitCode}");

    public override ServiceSpec Idle(string serviceId) => ExecHarness.Shell(serviceId, "exec sleep 300");

    public override (ServiceSpec Spec, string Reason) Invalid(string serviceId) => (ExecHarness.Spec(serviceId), "exec services need a cmd");
}
