using System.Buffers.Binary;
using Google.Protobuf;

namespace Canopy.Cri.Transport;

/// <summary>
/// gRPC's length-prefixed message framing (grpc/doc/PROTOCOL-HTTP2.md): each message on the HTTP/2 stream is
/// 1 byte compressed-flag, 4 bytes big-endian length, then the protobuf bytes.
/// </summary>
internal static class GrpcFraming
{
    public const int PrefixLength = 5;

    public static byte[] Encode(IMessage message)
    {
        var size = message.CalculateSize();
        var frame = new byte[PrefixLength + size];
        frame[0] = 0; // not compressed: we never announce grpc-encoding
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1, 4), (uint)size);
        message.WriteTo(frame.AsSpan(PrefixLength));
        return frame;
    }

    /// <summary>Splits a whole response body into its messages.</summary>
    /// <exception cref="InvalidDataException">A frame is cut short or compressed.</exception>
    public static IReadOnlyList<ReadOnlyMemory<byte>> Decode(ReadOnlyMemory<byte> body)
    {
        var messages = new List<ReadOnlyMemory<byte>>();
        var rest = body;
        while (!rest.IsEmpty)
        {
            if (rest.Length < PrefixLength)
            {
                throw new InvalidDataException($"gRPC frame prefix cut short: {rest.Length} of {PrefixLength} bytes");
            }

            var span = rest.Span;
            if (span[0] != 0)
            {
                // Only happens when the server ignores that we sent no grpc-accept-encoding.
                throw new InvalidDataException($"gRPC frame with compressed-flag {span[0]} (compression is not supported)");
            }

            var length = BinaryPrimitives.ReadUInt32BigEndian(span.Slice(1, 4));
            if (length > (uint)(rest.Length - PrefixLength))
            {
                throw new InvalidDataException($"gRPC frame cut short: {rest.Length - PrefixLength} of {length} bytes");
            }

            messages.Add(rest.Slice(PrefixLength, (int)length));
            rest = rest[(PrefixLength + (int)length)..];
        }

        return messages;
    }
}
