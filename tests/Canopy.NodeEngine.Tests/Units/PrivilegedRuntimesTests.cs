namespace Canopy.NodeEngine.Tests.Units;

/// <summary>What a node reports of its operator's opt-ins, so that schedulers place privileged services only where they may run.</summary>
public sealed class PrivilegedRuntimesTests
{
    [Theory]
    [InlineData(false, false, null)]
    [InlineData(true, false, "exec")]
    [InlineData(false, true, "container")]
    [InlineData(true, true, "exec,container")]
    public void Each_opt_in_names_its_runtime(bool execAsRoot, bool allowPrivileged, string? expected)
    {
        var options = new NodeEngineOptions { DataDir = "/tmp/unused", ExecAsRoot = execAsRoot, AllowPrivileged = allowPrivileged };

        var reported = options.PrivilegedRuntimes(["exec", "container"]);

        (reported is null ? null : string.Join(",", reported)).ShouldBe(expected);
    }

    [Fact]
    public void A_runtime_the_node_cannot_use_now_is_not_reported()
    {
        var options = new NodeEngineOptions { DataDir = "/tmp/unused", ExecAsRoot = true, AllowPrivileged = true };

        options.PrivilegedRuntimes(["exec"]).ShouldBe(["exec"]);
    }
}
