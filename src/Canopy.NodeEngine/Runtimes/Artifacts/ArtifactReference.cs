using System.Text.RegularExpressions;
using Canopy.Core.Descriptors;

namespace Canopy.NodeEngine.Runtimes.Artifacts;

/// <summary>
/// What an SLA's <c>code</c> names for a runtime that runs a file (a wasm module, a kernel): a URL
/// (<c>https://host/app.wasm</c>, optionally <c>#sha256=&lt;hex&gt;</c> to pin its content) or an artifact in an OCI registry
/// (<c>127.0.0.1:5000/canopy/hello:1</c>, <c>host/name@sha256:&lt;hex&gt;</c>) whose single layer is the file.
/// </summary>
public sealed partial record ArtifactReference
{
    private ArtifactReference(string text) => Text = text;

    /// <summary>As the SLA wrote it (messages name it so).</summary>
    public string Text { get; }

    /// <summary>Set for a URL.</summary>
    public Uri? Url { get; private init; }

    /// <summary>Set for a registry artifact: host[:port] as written (lowercase).</summary>
    public string? Registry { get; private init; }

    /// <summary>The repository inside <see cref="Registry"/> (<c>canopy/hello</c>).</summary>
    public string? Repository { get; private init; }

    /// <summary>The tag or <c>sha256:&lt;hex&gt;</c> manifest digest asked for.</summary>
    public string? Reference { get; private init; }

    /// <summary>The file's own digest (<c>sha256:&lt;hex&gt;</c>) when the reference pins it (a URL's <c>#sha256=</c>).</summary>
    public string? ContentDigest { get; private init; }

    public bool IsUrl => Url is not null;

    /// <summary>Parses <paramref name="code"/>; <paramref name="error"/> says how to write it when it does not parse.</summary>
    /// <param name="what">The noun for messages: "module", "kernel".</param>
    public static ArtifactReference? Parse(string? code, string what, out string? error)
    {
        error = null;
        var text = code?.Trim() ?? "";
        if (text.Length == 0)
        {
            error = $"the {what} is missing: code must be an http(s) URL or a registry artifact such as 127.0.0.1:5000/canopy/hello-wasm:1";
            return null;
        }

        if (text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Host.Length == 0)
            {
                error = $"{what} URL '{text}' does not parse";
                return null;
            }

            string? digest = null;
            if (url.Fragment.Length > 1)
            {
                var pin = PinnedDigest().Match(url.Fragment);
                if (!pin.Success)
                {
                    error = $"{what} URL '{text}': the only fragment understood is #sha256=<64 hex digits> (the file's digest)";
                    return null;
                }

                digest = "sha256:" + pin.Groups[1].Value.ToLowerInvariant();
            }

            return new ArtifactReference(text) { Url = new UriBuilder(url) { Fragment = "" }.Uri, ContentDigest = digest };
        }

        var match = OciReference().Match(text);
        if (!match.Success)
        {
            error = $"{what} '{text}' is neither an http(s) URL nor a registry artifact such as 127.0.0.1:5000/canopy/hello-wasm:1";
            return null;
        }

        var name = match.Groups["name"].Value;
        var slash = name.IndexOf('/');
        var first = slash < 0 ? "" : name[..slash];
        var hasRegistry = first.Contains('.') || first.Contains(':') || first == "localhost";
        var registry = hasRegistry ? ImageHosts.Normalize(first) : ImageHosts.DockerHub;
        var repository = hasRegistry ? name[(slash + 1)..] : (name.Contains('/') ? name : "library/" + name);
        var reference = match.Groups["digest"].Success ? match.Groups["digest"].Value.ToLowerInvariant()
            : match.Groups["tag"].Success ? match.Groups["tag"].Value : "latest";
        return new ArtifactReference(text) { Registry = registry, Repository = repository, Reference = reference };
    }

    /// <summary>Plain HTTP for a registry on this machine (as containerd is told for the local registry), HTTPS elsewhere.</summary>
    public bool IsPlainHttpRegistry => Registry is { } host && Containerd.ContainerdConfig.IsLoopbackRegistry(host);

    /// <summary>Where the registry's API is: Docker Hub's is registry-1.docker.io.</summary>
    public Uri RegistryBase => new($"{(IsPlainHttpRegistry ? "http" : "https")}://{(Registry == ImageHosts.DockerHub ? "registry-1.docker.io" : Registry)}/v2/");

    public override string ToString() => Text;

    [GeneratedRegex("^#sha256=([0-9a-fA-F]{64})$", RegexOptions.CultureInvariant)]
    private static partial Regex PinnedDigest();

    [GeneratedRegex(
        """
        ^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>sha256:[0-9a-fA-F]{64}))?$
        """,
        RegexOptions.CultureInvariant)]
    private static partial Regex OciReference();
}
