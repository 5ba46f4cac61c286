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

        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 ||
            !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var lat) ||
            !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var lon) ||
            lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            return null;
        }

        return new GeoPoint(lat, lon);
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Latitude},{Longitude}");
}
