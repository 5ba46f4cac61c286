using Canopy.Cri.V1;

namespace Canopy.Cri;

// ImageService.
public sealed partial class CriClient
{
    /// <param name="image">A reference such as <c>127.0.0.1:5000/canopy/busybox:1</c>; short names mean docker.io.</param>
    /// <returns>The image ref (<c>sha256:…</c> image id for containerd).</returns>
    public Task<string> PullImageAsync(string image, CancellationToken ct) => PullImageAsync(image, auth: null, ct);

    /// <param name="auth">Registry credentials, or null for anonymous pulls.</param>
    public async Task<string> PullImageAsync(string image, AuthConfig? auth, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        var request = new PullImageRequest { Image = new ImageSpec { Image = image }, Auth = auth };
        var response = await ImageAsync("PullImage", _images.PullImageAsync, request, ct).ConfigureAwait(false);
        return response.ImageRef;
    }

    /// <returns>Null when the image is not present (CRI answers that without an error).</returns>
    public async Task<Image?> ImageStatusAsync(string image, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        var request = new ImageStatusRequest { Image = new ImageSpec { Image = image } };
        var response = await ImageAsync("ImageStatus", _images.ImageStatusAsync, request, ct).ConfigureAwait(false);
        return response.Image;
    }

    public async Task<IReadOnlyList<Image>> ListImagesAsync(CancellationToken ct)
    {
        var response = await ImageAsync("ListImages", _images.ListImagesAsync, new ListImagesRequest(), ct).ConfigureAwait(false);
        return response.Images;
    }

    /// <summary>Removes every tag of the image and the image itself, so its content can be collected. Idempotent.</summary>
    public Task RemoveImageAsync(string image, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(image);
        return ImageAsync("RemoveImage", _images.RemoveImageAsync, new RemoveImageRequest { Image = new ImageSpec { Image = image } }, ct);
    }
}
