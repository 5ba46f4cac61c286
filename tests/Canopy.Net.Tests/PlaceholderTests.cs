namespace Canopy.Net.Tests;

public class PlaceholderTests
{
    [Fact]
    public void Builds() => typeof(Canopy.Net.INodeNetwork).Assembly.ShouldNotBeNull();
}
