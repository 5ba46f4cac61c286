namespace Canopy.Dashboard.Tests;

/// <summary>The browser tests share one <c>canopy up</c> and one Chromium, and run one at a time (two cores, real processes).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DashboardCollection : ICollectionFixture<DashboardStack>
{
    public const string Name = "dashboard";
}
