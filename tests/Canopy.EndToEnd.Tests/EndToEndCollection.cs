using Canopy.Testing;

namespace Canopy.EndToEnd.Tests;

/// <summary>End-to-end tests start whole Canopy processes; they run one at a time so that they do not compete for two cores.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EndToEndCollection
{
    public const string Name = "end-to-end";
}
