using System.Net;

namespace Canopy.Cri.Transport;

/// <summary>
/// Decides the outcome of a unary call from what the server sent back. Kept apart from the I/O so that every
/// shape of answer (normal, trailers-only error, broken framing, non-gRPC HTTP error) can be tested without a server.
/// </summary>
internal static class GrpcResponse
{
    /// <param name="method">The call as <c>Service/Method</c>, for error messages.</param>
    /// <param name="headerStatus">grpc-status from the response headers: only set in a trailers-only response (an immediate error).</param>
    /// <param name="trailerStatus">grpc-status from the trailers of a normal response.</param>
    /// <returns>The one response message's bytes.</returns>
    /// <exception cref="CriException">Anything but OK with exactly one message.</exception>
    public static ReadOnlyMemory<byte> Interpret(
        string method,
        HttpStatusCode httpStatus,
        string? headerStatus,
        string? headerMessage,
        ReadOnlyMemory<byte> body,
        string? trailerStatus,
        string? trailerMessage)
    {
        if (httpStatus != HttpStatusCode.OK)
        {
            var detail = GrpcHeaders.DecodeMessage(headerMessage);
            throw new CriException(
                method,
                GrpcHeaders.FromHttpStatus(httpStatus),
                detail.Length > 0 ? detail : $"HTTP status {(int)httpStatus} instead of a gRPC answer");
        }

        // A trailers-only response carries its status in the headers; it wins, as there is no trailer section then.
        var (statusText, messageText) = headerStatus is not null ? (headerStatus, headerMessage) : (trailerStatus, trailerMessage);
        var status = GrpcHeaders.ParseStatus(statusText);
        if (status is null)
        {
            throw new CriException(
                method,
                GrpcStatus.Internal,
                statusText is null ? "the response ended without grpc-status" : $"malformed grpc-status '{statusText}'");
        }

        if (status != GrpcStatus.Ok)
        {
            throw new CriException(method, status.Value, GrpcHeaders.DecodeMessage(messageText));
        }

        IReadOnlyList<ReadOnlyMemory<byte>> frames;
        try
        {
            frames = GrpcFraming.Decode(body);
        }
        catch (InvalidDataException e)
        {
            throw new CriException(method, GrpcStatus.Internal, e.Message, e);
        }

        if (frames.Count != 1)
        {
            throw new CriException(method, GrpcStatus.Internal, $"a unary call answered {frames.Count} messages instead of 1");
        }

        return frames[0];
    }
}
