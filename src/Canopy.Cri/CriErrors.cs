using System.Net.Sockets;
using Grpc.Core;

namespace Canopy.Cri;

/// <summary>
/// Turns what Grpc.Net.Client reports into the errors a CRI caller acts on. Kept apart from the I/O so that each
/// shape (runtime's own status, socket missing, connection lost, deadline, cancellation) is testable without a server.
/// </summary>
internal static class CriErrors
{
    /// <param name="method">The call as <c>Service/Method</c>, for messages.</param>
    /// <returns><see cref="OperationCanceledException"/> when the caller cancelled, otherwise <see cref="CriException"/>.</returns>
    public static Exception Translate(string method, RpcException error, string socketPath, TimeSpan timeout, CancellationToken ct)
    {
        if (ct.IsCancellationRequested)
        {
            return new OperationCanceledException($"CRI {method} was cancelled", error, ct);
        }

        var status = error.Status;
        var local = status.DebugException;
        var detail = status.StatusCode switch
        {
            // Our own deadline passed (the runtime's own DeadlineExceeded has its message, and no local exception).
            StatusCode.DeadlineExceeded when local is not null || status.Detail.Length == 0 =>
                $"no answer from {socketPath} within {timeout}",
            StatusCode.Unavailable when local is not null && IsConnectFailure(local) =>
                $"containerd is not running at {socketPath} ({Innermost(local).Message})",
            // The connection broke mid-call (runtime restarted, protocol error).
            StatusCode.Unavailable when local is not null =>
                $"connection to {socketPath} failed: {Innermost(local).Message}",
            _ => status.Detail,
        };
        return new CriException(method, status.StatusCode, detail, error);
    }

    private static bool IsConnectFailure(Exception e) =>
        e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError } or HttpRequestException { InnerException: SocketException };

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
