namespace Canopy.Core.Scheduling.Tests;

public class PlacementAlgorithmsTests
{
    [Theory]
    [InlineData("best-fit")]
    [InlineData("first-fit")]
    [InlineData("round-robin")]
    [InlineData("epvm")]
    public void Get_KnownName_GivesThatAlgorithm(string name)
    {
        PlacementAlgorithms.Get(name).Name.ShouldBe(name);
    }

    [Theory]
    [InlineData("Best-Fit", "best-fit")]
    [InlineData(" EPVM ", "epvm")]
    public void Get_IgnoresCaseAndSpaces(string name, string expected)
    {
        PlacementAlgorithms.Get(name).Name.ShouldBe(expected);
    }

    [Theory]
    [InlineData("greedy")]
    [InlineData("")]
    public void Get_UnknownName_ThrowsNamingTheKnownOnes(string name)
    {
        var exception = Should.Throw<ArgumentException>(() => PlacementAlgorithms.Get(name));

        exception.Message.ShouldContain($"'{name}'");
        foreach (var known in PlacementAlgorithms.Names)
        {
            exception.Message.ShouldContain(known);
        }
    }

    [Fact]
    public void Names_AreAllRegistered()
    {
        PlacementAlgorithms.Names.Select(n => PlacementAlgorithms.Get(n).Name).ShouldBe(PlacementAlgorithms.Names);
        PlacementAlgorithms.Names.ShouldContain(PlacementAlgorithms.Default);
    }
}
