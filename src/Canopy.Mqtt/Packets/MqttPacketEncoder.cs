using System.Buffers;

namespace Canopy.Mqtt.Packets;

/// <summary>Writes fixed header + body of a packet into a buffer writer.</summary>
internal static class MqttPacketEncoder
{
    public static void Write(MqttPacket packet, IBufferWriter<byte> writer)
    {
        var bodyLength = packet.GetBodyLength();
        var headerLength = 1 + RemainingLength.GetSize(bodyLength);
        var span = writer.GetSpan(headerLength + bodyLength);
        WriteFixedHeader(packet, bodyLength, span);
        packet.WriteBody(span.Slice(headerLength, bodyLength));
        writer.Advance(headerLength + bodyLength);
    }

    /// <summary>
    /// Writes a PUBLISH without its payload (fixed header announces the full length); the caller sends the
    /// payload bytes right after, so large payloads are never copied.
    /// </summary>
    public static void WritePublishHeader(PublishPacket packet, IBufferWriter<byte> writer)
    {
        var bodyLength = packet.GetBodyLength();
        var variableLength = packet.GetVariableHeaderLength();
        var headerLength = 1 + RemainingLength.GetSize(bodyLength);
        var span = writer.GetSpan(headerLength + variableLength);
        WriteFixedHeader(packet, bodyLength, span);
        packet.WriteVariableHeader(span.Slice(headerLength, variableLength));
        writer.Advance(headerLength + variableLength);
    }

    public static byte[] ToArray(MqttPacket packet)
    {
        var writer = new ArrayBufferWriter<byte>();
        Write(packet, writer);
        return writer.WrittenSpan.ToArray();
    }

    private static void WriteFixedHeader(MqttPacket packet, int bodyLength, Span<byte> destination)
    {
        destination[0] = (byte)(((byte)packet.Type << 4) | packet.Flags);
        RemainingLength.Write(destination[1..], bodyLength);
    }
}
