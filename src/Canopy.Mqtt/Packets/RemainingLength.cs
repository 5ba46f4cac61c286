namespace Canopy.Mqtt.Packets;

/// <summary>The MQTT "remaining length" variable-length integer: 1–4 bytes, 7 bits each, low group first.</summary>
internal static class RemainingLength
{
    public const int MaxValue = 268_435_455;
    public const int MaxBytes = 4;

    public static int GetSize(int value)
    {
        if ((uint)value > MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Remaining length must be 0..{MaxValue}.");
        }

        return value switch
        {
            < 128 => 1,
            < 16_384 => 2,
            < 2_097_152 => 3,
            _ => 4,
        };
    }

    /// <summary>Writes <paramref name="value"/> and returns the number of bytes written.</summary>
    public static int Write(Span<byte> destination, int value)
    {
        var size = GetSize(value);
        for (var i = 0; i < size; i++)
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            destination[i] = value > 0 ? (byte)(b | 0x80) : b;
        }

        return size;
    }

    /// <summary>
    /// Decodes a remaining length. Returns false when <paramref name="source"/> ends before the last byte;
    /// throws <see cref="MqttProtocolException"/> when more than four bytes are used.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out int value, out int consumed)
    {
        value = 0;
        for (var i = 0; i < MaxBytes; i++)
        {
            if (i >= source.Length)
            {
                value = 0;
                consumed = 0;
                return false;
            }

            var b = source[i];
            value |= (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                consumed = i + 1;
                return true;
            }
        }

        throw new MqttProtocolException("Malformed remaining length: more than 4 bytes.");
    }
}
