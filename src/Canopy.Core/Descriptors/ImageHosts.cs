namespace Canopy.Core.Descriptors;

/// <summary>The registry host of an image reference, by docker's rule, so a registry credential goes only to the host it is for.</summary>
public static class ImageHosts
{
    /// <summary>Docker Hub, where a reference without a registry part (<c>library/nginx</c>) is pulled from.</summary>
    public const string DockerHub = "docker.io";

    /// <summary>
    /// The first path component when it has a <c>.</c> or <c>:</c> or is <c>localhost</c>, else Docker Hub; lowercase
    /// (host names are case-insensitive).
    /// </summary>
    public static string Of(string image)
    {
        var slash = image.IndexOf('/');
        if (slash <= 0)
        {
            return DockerHub;
        }

        var first = image[..slash];
        return first.Contains('.') || first.Contains(':') || first == "localhost" ? Normalize(first) : DockerHub;
    }

    /// <summary>A registry host as users write it: <c>index.docker.io</c> and <c>registry-1.docker.io</c> are Docker Hub.</summary>
    public static string Normalize(string host)
    {
        var lower = host.Trim().ToLowerInvariant();
        return lower is "index.docker.io" or "registry-1.docker.io" ? DockerHub : lower;
    }
}
