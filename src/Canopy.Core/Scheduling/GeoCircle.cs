namespace Canopy.Core.Scheduling;

/// <summary>
/// A geo constraint's circle, prepared once per placement so that thousands of candidates are tested against it cheaply: a
/// candidate too far north or south is out without trigonometry, and the rest compare the haversine term with the circle's
/// instead of taking its arcsine and square root. Only a point within a hair of the edge is decided by the exact
/// <see cref="GeoPoint.DistanceKm"/>, so the answer is always the one that formula gives.
/// </summary>
internal readonly struct GeoCircle
{
    /// <summary>Far wider than the rounding of either formula (which stays below 1e-8 even for antipodes), far narrower than any real distance.</summary>
    private const double Margin = 1e-6;

    private readonly double _latitude;
    private readonly double _cosLatitude;
    private readonly double _halfChord;

    public GeoCircle(GeoPoint center, double radiusKm)
    {
        Center = center;
        RadiusKm = radiusKm;
        _latitude = Radians(center.Latitude);
        _cosLatitude = Math.Cos(_latitude);

        // distance > r  ⟺  haversine term h > sin²(r / 2R), for r below half the circumference (no point is farther than that).
        var angle = radiusKm / (2 * GeoPoint.EarthRadiusKm);
        _halfChord = angle >= Math.PI / 2 ? double.PositiveInfinity : Math.Sin(angle) * Math.Sin(angle);
    }

    public GeoPoint Center { get; }
    public double RadiusKm { get; }

    /// <summary>Whether <paramref name="point"/> is outside: the same answer as <c>point.DistanceKm(Center) &gt; RadiusKm</c>.</summary>
    public bool Excludes(GeoPoint point)
    {
        // The distance along the earth is never less than the distance between the two latitudes.
        var latitude = Radians(point.Latitude);
        var dLat = latitude - _latitude;
        if (Math.Abs(dLat) * GeoPoint.EarthRadiusKm > RadiusKm * (1 + Margin))
        {
            return true;
        }

        var sinLat = Math.Sin(dLat / 2);
        var sinLon = Math.Sin(Radians(point.Longitude - Center.Longitude) / 2);
        var h = (sinLat * sinLat) + (Math.Cos(latitude) * _cosLatitude * sinLon * sinLon);
        if (h > _halfChord * (1 + Margin))
        {
            return true;
        }

        return !(h < _halfChord * (1 - Margin)) && point.DistanceKm(Center) > RadiusKm;
    }

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
