namespace Canopy.Core.Addressing;

/// <summary>One /26 per worker from 10.18.0.0/16 (10.18.0.0 – 10.29.255.192), as Oakestra assigns them.</summary>
public static class SubnetPool
{
    /// <summary>The first free subnet in CIDR form (e.g. <c>10.18.0.64/26</c>); null when exhausted.</summary>
    public static string? Allocate(IReadOnlySet<string> taken) => throw new NotImplementedException();
}
