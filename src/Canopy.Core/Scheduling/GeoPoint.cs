using System.Globalization;

namespace Canopy.Core.Scheduling;

/// <summary>A place on earth in degrees.</summary>
public readonly record struct GeoPoint(double Latitude, double Longitude)
{
    /// <summary>Reads <c>"lat,lon"</c>; null when the text is not two numbers in range.</summary>
    public static GeoPoint? TryParse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        // Read in place: a cluster reads every node's location for every placement, thousands of times.
        var span = text.AsSpan();
        var comma = span.IndexOf(',');
        if (comma < 0 || span[(comma + 1)..].Contains(',') ||
            !double.TryParse(span[..comma].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ||
            !double.TryParse(span[(comma + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) ||
            lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            return null;
        }

        return new GeoPoint(lat, lon);
    }

    /// <summary>Mean earth radius (IUGG), the usual constant for great-circle distances.</summary>
    public const double EarthRadiusKm = 6371.0088;

    /// <summary>Great-circle distance in km (haversine, which stays accurate for the short distances of edge sites).</summary>
    public double DistanceKm(GeoPoint other)
    {
        var lat1 = ToRadians(Latitude);
        var lat2 = ToRadians(other.Latitude);
        var dLat = lat2 - lat1;
        var dLon = ToRadians(other.Longitude - Longitude);
        var h = (Math.Sin(dLat / 2) * Math.Sin(dLat / 2)) +
                (Math.Cos(lat1) * Math.Cos(lat2) * Math.Sin(dLon / 2) * Math.Sin(dLon / 2));
        return 2 * EarthRadiusKm * Math.Asin(Math.Min(1, Math.Sqrt(h)));
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Latitude},{Longitude}");

    private static double ToRadians(double degrees) => degrees * Math.PI / 180;
}
