using System.Text;

namespace Canopy.Mqtt.Packets;

/// <summary>MQTT UTF-8 encoded strings: 2-byte big-endian length prefix, at most 65535 bytes, no U+0000.</summary>
internal static class MqttString
{
    public const int MaxByteLength = 65_535;

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encoded size including the length prefix. Throws for strings that cannot be sent.</summary>
    public static int GetSize(string value)
    {
        if (value.Contains('\0'))
        {
            throw new ArgumentException("MQTT strings must not contain U+0000.", nameof(value));
        }

        var bytes = Strict.GetByteCount(value);
        if (bytes > MaxByteLength)
        {
            throw new ArgumentException($"MQTT strings are limited to {MaxByteLength} UTF-8 bytes (got {bytes}).", nameof(value));
        }

        return 2 + bytes;
    }

    public static string Decode(ReadOnlySpan<byte> utf8)
    {
        string value;
        try
        {
            value = Strict.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            throw new MqttProtocolException("String is not well-formed UTF-8.");
        }

        if (value.Contains('\0'))
        {
            throw new MqttProtocolException("String contains U+0000.");
        }

        return value;
    }

    public static int Encode(string value, Span<byte> destination) => Strict.GetBytes(value, destination);
}
