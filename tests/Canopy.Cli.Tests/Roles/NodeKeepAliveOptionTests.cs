using Canopy.NodeRole;

namespace Canopy.Cli.Tests.Roles;

/// <summary>The node's MQTT keep-alive (its liveness signal) is whole seconds, as MQTT carries it.</summary>
public sealed class NodeKeepAliveOptionTests
{
    [Theory]
    [InlineData("00:00:01")]
    [InlineData("00:00:02")]
    [InlineData("18:12:15")]
    public void WholeSeconds_AreAccepted(string value) => NodeCommandLine.CheckKeepAlive(TimeSpan.Parse(value));

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:01.5")]
    [InlineData("1.00:00:00")]
    public void Others_AreRefusedWithAnExample(string value) =>
        Should.Throw<NodeRoleException>(() => NodeCommandLine.CheckKeepAlive(TimeSpan.Parse(value)))
            .Message.ShouldContain("whole seconds from 00:00:01 to 18:12:15, e.g. 00:00:02");
}
