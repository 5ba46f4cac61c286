using System.Globalization;

namespace Canopy.Cli.Interaction;

internal static class Format
{
    public static string Number(double value, int decimals = 1) => value.ToString("F" + decimals, CultureInfo.InvariantCulture);

    public static string Mb(double mb) => mb >= 1024 ? $"{Number(mb / 1024)} GB" : $"{Number(mb, 0)} MB";

    public static string OrDash(string? text) => string.IsNullOrEmpty(text) ? "-" : text;

    public static string Age(DateTimeOffset? time)
    {
        if (time is null)
        {
            return "-";
        }

        var age = DateTimeOffset.UtcNow - time.Value;
        return age.TotalSeconds < 60 ? $"{Math.Max(0, (int)age.TotalSeconds)}s"
            : age.TotalMinutes < 60 ? $"{(int)age.TotalMinutes}m"
            : age.TotalHours < 48 ? $"{(int)age.TotalHours}h"
            : $"{(int)age.TotalDays}d";
    }
}
