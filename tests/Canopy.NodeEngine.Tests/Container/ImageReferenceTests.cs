using Canopy.NodeEngine.Runtimes.Container;

namespace Canopy.NodeEngine.Tests.Container;

public sealed class ImageReferenceTests
{
    [Theory]
    [InlineData("busybox")]
    [InlineData("busybox:1.36")]
    [InlineData("library/busybox:latest")]
    [InlineData("127.0.0.1:5000/canopy/busybox:1")]
    [InlineData("localhost:5000/a/b/c:tag_1.0-x")]
    [InlineData("Registry.Example.com/team/app:v2")]
    [InlineData("ghcr.io/owner/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("docker.io/library/nginx:1.25@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("my-app__x.y:1")]
    public void Valid_references_parse(string reference) => ImageReference.IsValid(reference, out _).ShouldBeTrue();

    [Theory]
    [InlineData("Canopy/busybox:1", "lowercase")]
    [InlineData("127.0.0.1:5000/Canopy/BusyBox:1", "does not parse")]
    [InlineData("busybox::1", "does not parse")]
    [InlineData("busybox:", "does not parse")]
    [InlineData("http://127.0.0.1:5000/busybox", "does not parse")]
    [InlineData("busy box", "does not parse")]
    [InlineData("-busybox", "does not parse")]
    [InlineData("busybox@sha256:abc", "does not parse")]
    [InlineData("", "need an image reference")]
    [InlineData("   ", "need an image reference")]
    public void Invalid_references_are_refused_with_a_reason(string reference, string reason)
    {
        ImageReference.IsValid(reference, out var error).ShouldBeFalse();
        error.ShouldNotBeNull().ShouldContain(reason);
    }
}
