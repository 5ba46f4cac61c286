using Grpc.Core;

namespace Canopy.Cri;

/// <summary>
/// A CRI call that did not succeed: either the runtime answered with a non-OK gRPC status, or it could not be
/// reached (<see cref="StatusCode.Unavailable"/>), or the call ran past its deadline (<see cref="StatusCode.DeadlineExceeded"/>).
/// </summary>
public sealed class CriException : Exception
{
    public CriException(string method, StatusCode statusCode, string detail, Exception? inner = null)
        : base(FormatMessage(method, statusCode, detail), inner)
    {
        Method = method;
        StatusCode = statusCode;
        Detail = detail;
    }

    /// <summary>The call, as <c>Service/Method</c> (e.g. <c>RuntimeService/StartContainer</c>).</summary>
    public string Method { get; }

    public StatusCode StatusCode { get; }

    /// <summary>What the runtime said (the decoded <c>grpc-message</c>), or what went wrong on our side.</summary>
    public string Detail { get; }

    private static string FormatMessage(string method, StatusCode statusCode, string detail) =>
        detail.Length == 0
            ? $"CRI {method} failed: {statusCode}"
            : $"CRI {method} failed: {statusCode}: {detail}";
}
