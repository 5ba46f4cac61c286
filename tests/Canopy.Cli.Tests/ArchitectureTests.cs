using System.Reflection;

namespace Canopy.Cli.Tests;

/// <summary>Dependencies point inwards: the tiers meet only in Core and Contracts, and only the CLI assembles them.</summary>
public sealed class ArchitectureTests
{
    [Theory]
    [InlineData("Canopy.Core", new string[0])]
    [InlineData("Canopy.Contracts", new[] { "Canopy.Core" })]
    [InlineData("Canopy.Mqtt", new string[0])]
    [InlineData("Canopy.Hosting", new[] { "Canopy.Core", "Canopy.Contracts", "Canopy.Security", "Canopy.Storage" })]
    [InlineData("Canopy.Storage", new string[0])]
    [InlineData("Canopy.Security", new string[0])]
    [InlineData("Canopy.Root", new[] { "Canopy.Core", "Canopy.Contracts", "Canopy.Hosting", "Canopy.Security", "Canopy.Storage" })]
    [InlineData("Canopy.Cluster", new[] { "Canopy.Core", "Canopy.Contracts", "Canopy.Hosting", "Canopy.Mqtt", "Canopy.Security", "Canopy.Storage" })]
    [InlineData("Canopy.Cri", new string[0])]
    [InlineData("Canopy.Net", new[] { "Canopy.Core", "Canopy.Contracts" })]
    [InlineData("Canopy.NodeEngine", new[] { "Canopy.Core", "Canopy.Contracts", "Canopy.Mqtt", "Canopy.Cri", "Canopy.Net", "Canopy.Security" })]
    [InlineData("Canopy.NodeRole", new[] { "Canopy.Core", "Canopy.Contracts", "Canopy.NodeEngine" })]
    [InlineData("canopy-node", new[] { "Canopy.Core", "Canopy.Contracts", "Canopy.NodeEngine", "Canopy.NodeRole" })]
    public void Project_ReferencesOnlyWhatItMay(string assembly, string[] allowed)
    {
        var referenced = Assembly.Load(assembly).GetReferencedAssemblies()
            .Select(a => a.Name!)
            .Where(n => n.StartsWith("Canopy.", StringComparison.Ordinal))
            .ToList();

        referenced.ShouldBeSubsetOf(allowed);
    }

    [Fact]
    public void Core_HasNoIoDependencies()
    {
        var referenced = Assembly.Load("Canopy.Core").GetReferencedAssemblies().Select(a => a.Name!).ToList();

        referenced.ShouldNotContain(n => n.StartsWith("Microsoft.", StringComparison.Ordinal));
        referenced.ShouldNotContain("System.Net.Http");
        referenced.ShouldNotContain("System.Net.Sockets");
    }
}
