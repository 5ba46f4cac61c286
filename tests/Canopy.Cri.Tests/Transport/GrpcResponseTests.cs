using System.Net;
using Canopy.Cri.Transport;
using Canopy.Cri.V1;

namespace Canopy.Cri.Tests.Transport;

public sealed class GrpcResponseTests
{
    private const string Method = "RuntimeService/Version";

    [Fact]
    public void Normal_response_yields_the_message_when_the_trailers_say_ok()
    {
        var body = GrpcFraming.Encode(new VersionResponse { RuntimeName = "containerd" });

        var payload = GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, body, "0", null);

        VersionResponse.Parser.ParseFrom(payload.Span).RuntimeName.ShouldBe("containerd");
    }

    [Fact]
    public void Empty_message_is_a_valid_answer()
    {
        var payload = GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, GrpcFraming.Encode(new StartContainerResponse()), "0", null);

        payload.Length.ShouldBe(0);
    }

    [Fact]
    public void Trailers_only_error_takes_status_and_decoded_message_from_the_headers()
    {
        var e = Should.Throw<CriException>(() => GrpcResponse.Interpret(
            "RuntimeService/ContainerStatus",
            HttpStatusCode.OK,
            "5",
            "an%20error%20occurred%20when%20try%20to%20find%20container%20%22x%22%3A%20not%20found",
            ReadOnlyMemory<byte>.Empty,
            null,
            null));

        e.StatusCode.ShouldBe(GrpcStatus.NotFound);
        e.Detail.ShouldBe("an error occurred when try to find container \"x\": not found");
        e.Method.ShouldBe("RuntimeService/ContainerStatus");
        e.Message.ShouldBe("CRI RuntimeService/ContainerStatus failed: NotFound: an error occurred when try to find container \"x\": not found");
    }

    [Fact]
    public void Error_in_the_trailers_after_a_body_wins_over_the_body()
    {
        var body = GrpcFraming.Encode(new VersionResponse());

        var e = Should.Throw<CriException>(() => GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, body, "13", "boom"));

        e.StatusCode.ShouldBe(GrpcStatus.Internal);
        e.Detail.ShouldBe("boom");
    }

    [Fact]
    public void Missing_grpc_status_is_internal()
    {
        var e = Should.Throw<CriException>(() =>
            GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, GrpcFraming.Encode(new VersionResponse()), null, null));

        e.StatusCode.ShouldBe(GrpcStatus.Internal);
        e.Detail.ShouldContain("without grpc-status");
    }

    [Fact]
    public void Ok_without_a_message_is_internal()
    {
        var e = Should.Throw<CriException>(() =>
            GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, ReadOnlyMemory<byte>.Empty, "0", null));

        e.StatusCode.ShouldBe(GrpcStatus.Internal);
        e.Detail.ShouldContain("0 messages");
    }

    [Fact]
    public void Two_messages_for_a_unary_call_is_internal()
    {
        var one = GrpcFraming.Encode(new VersionResponse());
        var e = Should.Throw<CriException>(() =>
            GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, one.Concat(one).ToArray(), "0", null));

        e.Detail.ShouldContain("2 messages");
    }

    [Fact]
    public void Truncated_frame_is_internal()
    {
        var e = Should.Throw<CriException>(() =>
            GrpcResponse.Interpret(Method, HttpStatusCode.OK, null, null, new byte[] { 0, 0, 0, 0, 9, 1 }, "0", null));

        e.StatusCode.ShouldBe(GrpcStatus.Internal);
        e.InnerException.ShouldBeOfType<InvalidDataException>();
    }

    [Fact]
    public void Non_200_http_status_maps_to_a_grpc_status()
    {
        var e = Should.Throw<CriException>(() =>
            GrpcResponse.Interpret(Method, HttpStatusCode.NotFound, null, null, ReadOnlyMemory<byte>.Empty, null, null));

        e.StatusCode.ShouldBe(GrpcStatus.Unimplemented);
        e.Detail.ShouldContain("HTTP status 404");
    }
}
