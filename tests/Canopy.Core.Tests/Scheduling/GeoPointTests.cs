namespace Canopy.Core.Scheduling.Tests;

public class GeoPointTests
{
    [Fact]
    public void DistanceKm_MunichToBerlin_IsAbout504()
    {
        Mock.Munich.DistanceKm(Mock.Berlin).ShouldBe(504, 1.0);
    }

    [Fact]
    public void DistanceKm_IsSymmetricAndZeroToItself()
    {
        Mock.Berlin.DistanceKm(Mock.Munich).ShouldBe(Mock.Munich.DistanceKm(Mock.Berlin), 1e-9);
        Mock.Munich.DistanceKm(Mock.Munich).ShouldBe(0);
    }

    [Fact]
    public void DistanceKm_Antipodes_IsHalfTheCircumference()
    {
        new GeoPoint(0, 0).DistanceKm(new GeoPoint(0, 180)).ShouldBe(Math.PI * GeoPoint.EarthRadiusKm, 1e-6);
    }

    [Theory]
    [InlineData("48.1374,11.5755", 48.1374, 11.5755)]
    [InlineData(" -33.9 , 151.2 ", -33.9, 151.2)]
    public void TryParse_LatLon_Reads(string text, double lat, double lon)
    {
        GeoPoint.TryParse(text).ShouldBe(new GeoPoint(lat, lon));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Munich")]
    [InlineData("95,10")]
    [InlineData("10,181")]
    [InlineData("1,2,3")]
    public void TryParse_NotALocation_IsNull(string? text)
    {
        GeoPoint.TryParse(text).ShouldBeNull();
    }
}
