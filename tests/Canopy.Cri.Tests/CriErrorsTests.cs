using System.Net.Sockets;
using Grpc.Core;

namespace Canopy.Cri.Tests;

/// <summary>What each failure Grpc.Net.Client reports becomes for a caller of <see cref="CriClient"/>.</summary>
public sealed class CriErrorsTests
{
    private const string Method = "RuntimeService/StartContainer";
    private const string Socket = "/run/x/containerd.sock";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public void Runtime_status_and_message_are_kept()
    {
        var error = new RpcException(new Status(StatusCode.NotFound, "container \"abc\" not found"));

        var e = Translate(error).ShouldBeOfType<CriException>();

        e.StatusCode.ShouldBe(StatusCode.NotFound);
        e.Detail.ShouldBe("container \"abc\" not found");
        e.Method.ShouldBe(Method);
        e.Message.ShouldBe("CRI RuntimeService/StartContainer failed: NotFound: container \"abc\" not found");
        e.InnerException.ShouldBe(error);
    }

    [Fact]
    public void Refused_connection_says_containerd_is_not_running()
    {
        var refused = new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused", new SocketException((int)SocketError.ConnectionRefused));
        var error = new RpcException(new Status(StatusCode.Unavailable, "Error starting gRPC call.", refused));

        var e = Translate(error).ShouldBeOfType<CriException>();

        e.StatusCode.ShouldBe(StatusCode.Unavailable);
        e.Detail.ShouldStartWith($"containerd is not running at {Socket} (");
    }

    [Fact]
    public void Connection_lost_mid_call_names_the_socket()
    {
        var lost = new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
        var error = new RpcException(new Status(StatusCode.Unavailable, "Error starting gRPC call.", lost));

        var e = Translate(error).ShouldBeOfType<CriException>();

        e.Detail.ShouldBe($"connection to {Socket} failed: The response ended prematurely.");
    }

    [Fact]
    public void Local_deadline_names_socket_and_timeout_while_the_runtimes_own_keeps_its_message()
    {
        var local = Translate(new RpcException(new Status(StatusCode.DeadlineExceeded, ""))).ShouldBeOfType<CriException>();
        var remote = Translate(new RpcException(new Status(StatusCode.DeadlineExceeded, "context deadline exceeded"))).ShouldBeOfType<CriException>();

        local.Detail.ShouldBe($"no answer from {Socket} within {Timeout}");
        remote.Detail.ShouldBe("context deadline exceeded");
    }

    [Fact]
    public void Cancelled_by_the_caller_is_an_operation_cancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        var e = CriErrors.Translate(Method, new RpcException(new Status(StatusCode.Cancelled, "Call canceled by the client.")), Socket, Timeout, cts.Token);

        e.ShouldBeOfType<OperationCanceledException>().CancellationToken.ShouldBe(cts.Token);
    }

    private static Exception Translate(RpcException error) => CriErrors.Translate(Method, error, Socket, Timeout, CancellationToken.None);
}
