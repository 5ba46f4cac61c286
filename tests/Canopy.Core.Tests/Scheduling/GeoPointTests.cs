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

public class GeoCircleTests
{
    /// <summary>The prepared circle is a shortcut: it must say "outside" exactly when <see cref="GeoPoint.DistanceKm"/> exceeds the radius.</summary>
    [Fact]
    public void Excludes_AgreesWithDistanceKm_AlsoAtTheEdgeAndAtAntipodes()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            var center = new GeoPoint((random.NextDouble() * 180) - 90, (random.NextDouble() * 360) - 180);
            var point = random.Next(4) switch
            {
                0 => new GeoPoint(-center.Latitude, center.Longitude > 0 ? center.Longitude - 180 : center.Longitude + 180),
                1 => new GeoPoint(Math.Clamp(center.Latitude + (random.NextDouble() - 0.5), -90, 90), center.Longitude + (random.NextDouble() - 0.5)),
                _ => new GeoPoint((random.NextDouble() * 180) - 90, (random.NextDouble() * 360) - 180),
            };
            var distance = point.DistanceKm(center);
            var radius = random.Next(3) switch
            {
                0 => distance,
                1 => random.Next(2) == 0 ? Math.BitIncrement(distance) : Math.BitDecrement(distance),
                _ => random.NextDouble() * 25_000,
            };
            if (radius <= 0)
            {
                continue;
            }

            new GeoCircle(center, radius).Excludes(point).ShouldBe(distance > radius, $"{point} from {center}, radius {radius}");
        }
    }
}
