namespace Canopy.Core.Addressing;

/// <summary>Service and instance IPs from 10.30.0.0/16, as Oakestra allocates them.</summary>
public static class ServiceIpPool
{
    public const string Range = "10.30.0.0/16";

    public static bool Contains(string ip) => throw new NotImplementedException();

    /// <summary>The lowest free address of the pool (skipping .0 and .255 hosts); null when the pool is exhausted.</summary>
    public static string? Allocate(IReadOnlySet<string> taken) => throw new NotImplementedException();
}
