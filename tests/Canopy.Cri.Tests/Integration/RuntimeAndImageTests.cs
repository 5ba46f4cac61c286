using System.Diagnostics;
using Grpc.Core;
using Xunit.Abstractions;

namespace Canopy.Cri.Tests.Integration;

[Collection(ContainerdCollection.Name)]
public sealed class RuntimeAndImageTests(ContainerdFixture fixture, ITestOutputHelper output)
{
    private CriClient Client => fixture.Client;

    [Fact]
    public async Task Version_names_containerd_and_the_v1_api()
    {
        var version = await Client.VersionAsync(CancellationToken.None);

        version.RuntimeName.ShouldBe("containerd");
        version.RuntimeApiVersion.ShouldBe("v1");
        version.RuntimeVersion.ShouldNotBeNullOrEmpty();
        output.WriteLine($"{version.RuntimeName} {version.RuntimeVersion} api {version.RuntimeApiVersion}");
    }

    [Fact]
    public async Task Status_reports_runtime_and_network_ready()
    {
        var status = await Client.StatusAsync(CancellationToken.None);

        status.Status.Conditions.ShouldContain(c => c.Type == "RuntimeReady" && c.Status);
        status.Status.Conditions.ShouldContain(c => c.Type == "NetworkReady" && c.Status);
    }

    [Fact]
    public async Task Pull_from_the_local_registry_then_status_and_list_show_the_image()
    {
        // Removed first, so that this is a real pull over HTTP and not a cache hit.
        await Client.RemoveImageAsync(fixture.BusyboxImage, CancellationToken.None);
        (await Client.ImageStatusAsync(fixture.BusyboxImage, CancellationToken.None)).ShouldBeNull();

        var watch = Stopwatch.StartNew();
        var imageRef = await Client.PullImageAsync(fixture.BusyboxImage, CancellationToken.None);
        output.WriteLine($"PullImage {fixture.BusyboxImage}: {watch.ElapsedMilliseconds} ms -> {imageRef}");

        imageRef.ShouldStartWith("sha256:");
        var image = await Client.ImageStatusAsync(fixture.BusyboxImage, CancellationToken.None);
        image.ShouldNotBeNull();
        image.Id.ShouldBe(imageRef);
        image.RepoTags.ShouldContain(fixture.BusyboxImage);
        image.RepoDigests.ShouldContain(d => d.StartsWith($"{fixture.Registry}/canopy/busybox@sha256:", StringComparison.Ordinal));
        image.Size.ShouldBeGreaterThan(1_000_000UL); // busybox-static is ~2 MB
        (await Client.ListImagesAsync(CancellationToken.None)).ShouldContain(i => i.Id == imageRef);
    }

    [Fact]
    public async Task Second_tag_is_a_different_image()
    {
        var one = await fixture.EnsureImageAsync(fixture.BusyboxImage);
        var watch = Stopwatch.StartNew();
        var two = await Client.PullImageAsync($"{fixture.Registry}/canopy/busybox:2", CancellationToken.None);
        output.WriteLine($"PullImage canopy/busybox:2: {watch.ElapsedMilliseconds} ms");

        two.ShouldNotBe(one);
        await Client.RemoveImageAsync($"{fixture.Registry}/canopy/busybox:2", CancellationToken.None);
        (await Client.ImageStatusAsync($"{fixture.Registry}/canopy/busybox:2", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Image_status_of_an_absent_image_is_null()
    {
        (await Client.ImageStatusAsync($"{fixture.Registry}/canopy/never-pushed:1", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task Pull_of_a_missing_image_fails_with_the_registry_not_found()
    {
        var missing = $"{fixture.Registry}/canopy/never-pushed:1";

        var e = await Should.ThrowAsync<CriException>(() => Client.PullImageAsync(missing, CancellationToken.None));

        output.WriteLine(e.Message);
        e.Method.ShouldBe("ImageService/PullImage");
        e.Detail.ShouldContain(missing);
        e.Detail.ShouldContain("not found");
    }

    [Fact]
    public async Task Unknown_container_is_not_found()
    {
        const string unknown = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

        var status = await Should.ThrowAsync<CriException>(() => Client.ContainerStatusAsync(unknown, CancellationToken.None));
        var start = await Should.ThrowAsync<CriException>(() => Client.StartContainerAsync(unknown, CancellationToken.None));

        status.StatusCode.ShouldBe(StatusCode.NotFound);
        status.Detail.ShouldContain(unknown);
        start.StatusCode.ShouldBe(StatusCode.NotFound);
    }

    [Fact]
    public async Task Unknown_sandbox_is_not_found()
    {
        var e = await Should.ThrowAsync<CriException>(() => Client.PodSandboxStatusAsync("no-such-sandbox", CancellationToken.None));

        e.StatusCode.ShouldBe(StatusCode.NotFound);
    }
}
