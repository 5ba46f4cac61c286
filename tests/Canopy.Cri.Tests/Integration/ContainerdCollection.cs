namespace Canopy.Cri.Tests.Integration;

/// <summary>All containerd tests share one private containerd and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class ContainerdCollection : ICollectionFixture<ContainerdFixture>
{
    public const string Name = "containerd";
}
