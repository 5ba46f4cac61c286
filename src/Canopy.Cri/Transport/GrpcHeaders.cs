using System.Globalization;
using System.Net;
using System.Text;

namespace Canopy.Cri.Transport;

/// <summary>Reading and writing the gRPC-specific HTTP/2 headers: grpc-status, grpc-message and grpc-timeout.</summary>
internal static class GrpcHeaders
{
    public const string Status = "grpc-status";
    public const string Message = "grpc-message";
    public const string Timeout = "grpc-timeout";

    /// <summary>Parses grpc-status; null when absent or not a number (the caller decides what that means).</summary>
    public static GrpcStatus? ParseStatus(string? value)
    {
        if (value is null || !int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var code))
        {
            return null;
        }

        // Codes outside 0..16 are legal on the wire and mean Unknown to a client.
        return code is >= 0 and <= 16 ? (GrpcStatus)code : GrpcStatus.Unknown;
    }

    /// <summary>
    /// grpc-message is percent-encoded UTF-8. Malformed escapes are kept as they are, as the spec asks of receivers,
    /// rather than losing the runtime's explanation.
    /// </summary>
    public static string DecodeMessage(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (!value.Contains('%'))
        {
            return value;
        }

        var bytes = new List<byte>(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%' && i + 2 < value.Length && IsHex(value[i + 1]) && IsHex(value[i + 2]))
            {
                bytes.Add((byte)((HexValue(value[i + 1]) << 4) | HexValue(value[i + 2])));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }

        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    /// <summary>
    /// grpc-timeout is at most 8 digits plus a unit; the finest unit that fits keeps the deadline exact enough.
    /// </summary>
    public static string FormatTimeout(TimeSpan timeout)
    {
        const long maxValue = 99_999_999;
        var ms = Math.Max(1, (long)Math.Ceiling(timeout.TotalMilliseconds));
        if (ms <= maxValue)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "m";
        }

        var seconds = (long)Math.Ceiling(timeout.TotalSeconds);
        if (seconds <= maxValue)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }

        var minutes = (long)Math.Ceiling(timeout.TotalMinutes);
        if (minutes <= maxValue)
        {
            return minutes.ToString(CultureInfo.InvariantCulture) + "M";
        }

        return Math.Min(maxValue, (long)Math.Ceiling(timeout.TotalHours)).ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>The status a gRPC client assumes when the HTTP response itself is not 200 (grpc/doc/http-grpc-status-mapping.md).</summary>
    public static GrpcStatus FromHttpStatus(HttpStatusCode code) => code switch
    {
        HttpStatusCode.BadRequest => GrpcStatus.Internal,
        HttpStatusCode.Unauthorized => GrpcStatus.Unauthenticated,
        HttpStatusCode.Forbidden => GrpcStatus.PermissionDenied,
        HttpStatusCode.NotFound => GrpcStatus.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable
            or HttpStatusCode.GatewayTimeout => GrpcStatus.Unavailable,
        _ => GrpcStatus.Unknown,
    };

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'f' => c - 'a' + 10,
        _ => c - 'A' + 10,
    };
}
