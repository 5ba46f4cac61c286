using System.Net;
using Canopy.Cri.Transport;

namespace Canopy.Cri.Tests.Transport;

public sealed class GrpcHeadersTests
{
    [Theory]
    [InlineData("0", GrpcStatus.Ok)]
    [InlineData("5", GrpcStatus.NotFound)]
    [InlineData(" 14 ", GrpcStatus.Unavailable)]
    [InlineData("16", GrpcStatus.Unauthenticated)]
    [InlineData("17", GrpcStatus.Unknown)]
    [InlineData("999", GrpcStatus.Unknown)]
    public void ParseStatus_reads_the_code(string text, GrpcStatus expected)
    {
        GrpcHeaders.ParseStatus(text).ShouldBe(expected);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("ok")]
    [InlineData("-1")]
    public void ParseStatus_is_null_for_missing_or_malformed(string? text)
    {
        GrpcHeaders.ParseStatus(text).ShouldBeNull();
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("plain text", "plain text")]
    [InlineData("an%20error%3A%20not%20found", "an error: not found")]
    [InlineData("100%25", "100%")]
    [InlineData("caf%C3%A9 %E2%9C%93", "café ✓")]
    [InlineData("bad %zz escape %4", "bad %zz escape %4")]
    [InlineData("trailing %", "trailing %")]
    public void DecodeMessage_percent_decodes_utf8(string? text, string expected)
    {
        GrpcHeaders.DecodeMessage(text).ShouldBe(expected);
    }

    [Theory]
    [InlineData(0.2, "200m")]
    [InlineData(120, "120000m")]
    [InlineData(0.0001, "1m")]
    [InlineData(200_000, "200000S")]
    public void FormatTimeout_uses_at_most_eight_digits(double seconds, string expected)
    {
        GrpcHeaders.FormatTimeout(TimeSpan.FromSeconds(seconds)).ShouldBe(expected);
    }

    [Fact]
    public void FormatTimeout_of_huge_values_still_fits()
    {
        var text = GrpcHeaders.FormatTimeout(TimeSpan.FromDays(100_000));
        text[..^1].Length.ShouldBeLessThanOrEqualTo(8);
    }

    [Theory]
    [InlineData(HttpStatusCode.NotFound, GrpcStatus.Unimplemented)]
    [InlineData(HttpStatusCode.ServiceUnavailable, GrpcStatus.Unavailable)]
    [InlineData(HttpStatusCode.Unauthorized, GrpcStatus.Unauthenticated)]
    [InlineData(HttpStatusCode.InternalServerError, GrpcStatus.Unknown)]
    public void FromHttpStatus_follows_the_grpc_mapping(HttpStatusCode code, GrpcStatus expected)
    {
        GrpcHeaders.FromHttpStatus(code).ShouldBe(expected);
    }
}
