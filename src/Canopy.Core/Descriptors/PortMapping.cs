namespace Canopy.Core.Descriptors;

/// <summary>One entry of the SLA <c>port</c> field: <c>host:container[/tcp|udp]</c>, or one port used on both sides.</summary>
public sealed record PortMapping(int HostPort, int ContainerPort, string Protocol)
{
    public override string ToString() => $"{HostPort}:{ContainerPort}/{Protocol}";
}
