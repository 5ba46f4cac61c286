using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Canopy.Contracts;

namespace Canopy.NodeEngine.Runtimes.Artifacts;

/// <summary>
/// An OCI artifact: the manifest (OCI or Docker v2; an index takes its first manifest), its single (or first) layer is the
/// file, fetched as a blob and checked against the layer's digest. Plain HTTP for a registry on this machine, as containerd is
/// configured for it; a bearer-token challenge is answered anonymously or with the service's login for that host.
/// </summary>
public sealed partial class ArtifactCache
{
    private static readonly string[] ManifestTypes =
    [
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
    ];

    private const int MaxManifestBytes = 4 * 1024 * 1024;

    private async Task<Artifact> FetchFromRegistryAsync(ArtifactReference reference, string what, RegistryCredential? login, CancellationToken ct)
    {
        var registry = reference.Registry!;
        var credential = login is not null && string.Equals(login.Host, registry, StringComparison.OrdinalIgnoreCase) ? login : null;
        var label = $"registry {registry}";
        var session = new RegistrySession(this, reference, label, credential);

        var manifestRef = reference.Reference!;
        var layer = (Descriptor?)null;
        for (var depth = 0; depth < 2 && layer is null; depth++)
        {
            using var response = await session.GetAsync($"manifests/{manifestRef}", ManifestTypes, ct).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw new ArtifactFetchException($"{label} has no artifact {reference.Repository}:{reference.Reference} ({what} {reference.Text}); push it there first");
            }

            Ensure(response, label, $"the manifest of {reference.Repository}:{reference.Reference}");
            var bytes = await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
            if (bytes.Length > MaxManifestBytes)
            {
                throw new ArtifactFetchException($"{label}: the manifest of {reference.Text} is larger than {MaxManifestBytes / (1024 * 1024)} MiB");
            }

            var manifest = ParseManifest(bytes, reference.Text, label);
            if (manifest.Index is { } first)
            {
                manifestRef = first;
                continue;
            }

            layer = manifest.Layer;
        }

        if (layer is null)
        {
            throw new ArtifactFetchException($"{label}: {reference.Text} is an index of indexes; name the manifest by its digest");
        }

        if (layer.Size > _options.ArtifactMaxBytes)
        {
            throw TooLarge($"{what} {reference.Text}", _options.ArtifactMaxBytes);
        }

        if (Cached(layer.Digest) is { } hit)
        {
            return hit;
        }

        using var blob = await session.GetAsync($"blobs/{layer.Digest}", ["*/*"], ct).ConfigureAwait(false);
        Ensure(blob, label, $"the layer {layer.Digest} of {reference.Text}");
        return await StoreAsync(blob, $"{what} {reference.Text}", layer.Digest, ct).ConfigureAwait(false);
    }

    private static void Ensure(HttpResponseMessage response, string label, string what)
    {
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw new ArtifactFetchException($"{label} refused {what} ({(int)response.StatusCode}): the service needs a registry login for it");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new ArtifactFetchException($"{label} answered {(int)response.StatusCode} {response.ReasonPhrase} for {what}");
        }
    }

    private sealed record Descriptor(string Digest, long Size);

    private sealed record Manifest(Descriptor? Layer, string? Index);

    private static Manifest ParseManifest(byte[] bytes, string text, string label)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            var root = document.RootElement;
            if (root.TryGetProperty("manifests", out var manifests) && manifests.ValueKind == JsonValueKind.Array)
            {
                var first = manifests.EnumerateArray().Select(m => m.GetProperty("digest").GetString()).FirstOrDefault(d => d is not null)
                    ?? throw new ArtifactFetchException($"{label}: the index of {text} lists no manifests");
                return new Manifest(null, first);
            }

            if (!root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array || layers.GetArrayLength() == 0)
            {
                throw new ArtifactFetchException($"{label}: {text} has no layers; push the file as the artifact's single layer");
            }

            var layer = layers[0];
            var digest = layer.GetProperty("digest").GetString() ?? "";
            if (!digest.StartsWith("sha256:", StringComparison.Ordinal) || digest.Length != 71 || !digest[7..].All(char.IsAsciiHexDigitLower))
            {
                throw new ArtifactFetchException($"{label}: the layer digest '{digest}' of {text} is not a sha256 digest");
            }

            return new Manifest(new Descriptor(digest, layer.TryGetProperty("size", out var size) ? size.GetInt64() : 0), null);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new ArtifactFetchException($"{label}: the manifest of {text} is not an OCI or Docker manifest ({e.Message})", e);
        }
    }

    /// <summary>Requests to one repository, answering a Bearer challenge once (the token is kept for the next request).</summary>
    private sealed class RegistrySession(ArtifactCache cache, ArtifactReference reference, string label, RegistryCredential? login)
    {
        private AuthenticationHeaderValue? _authorization = login is null ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.Username}:{login.Password}")));

        public async Task<HttpResponseMessage> GetAsync(string path, string[] accept, CancellationToken ct)
        {
            var url = new Uri(reference.RegistryBase, $"{reference.Repository}/{path}");
            for (var attempt = 0; ; attempt++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, url);
                foreach (var type in accept)
                {
                    request.Headers.Accept.ParseAdd(type);
                }

                request.Headers.Authorization = _authorization;
                var response = await cache.SendAsync(request, label, ct).ConfigureAwait(false);
                if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0
                    || response.Headers.WwwAuthenticate.FirstOrDefault(h => h.Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)) is not { } challenge)
                {
                    return response;
                }

                response.Dispose();
                _authorization = new AuthenticationHeaderValue("Bearer", await TokenAsync(challenge.Parameter ?? "", ct).ConfigureAwait(false));
            }
        }

        private async Task<string> TokenAsync(string challenge, CancellationToken ct)
        {
            var parameters = ChallengeParameters(challenge);
            if (!parameters.TryGetValue("realm", out var realm) || !Uri.TryCreate(realm, UriKind.Absolute, out var realmUrl))
            {
                throw new ArtifactFetchException($"{label} asks for a token without saying where to get it");
            }

            var query = new StringBuilder();
            foreach (var key in new[] { "service", "scope" })
            {
                if (parameters.TryGetValue(key, out var value))
                {
                    query.Append(query.Length == 0 ? '?' : '&').Append(key).Append('=').Append(Uri.EscapeDataString(value));
                }
            }

            if (!parameters.ContainsKey("scope"))
            {
                query.Append(query.Length == 0 ? '?' : '&').Append("scope=").Append(Uri.EscapeDataString($"repository:{reference.Repository}:pull"));
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(realmUrl, query.ToString()));
            if (login is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{login.Username}:{login.Password}")));
            }

            using var response = await cache.SendAsync(request, $"{label}'s token service", ct).ConfigureAwait(false);
            Ensure(response, $"{label}'s token service", $"a pull token for {reference.Repository}");
            using var document = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false));
            var root = document.RootElement;
            return (root.TryGetProperty("token", out var token) ? token.GetString()
                    : root.TryGetProperty("access_token", out var access) ? access.GetString() : null)
                ?? throw new ArtifactFetchException($"{label}'s token service gave no token");
        }

        private static Dictionary<string, string> ChallengeParameters(string challenge)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            var i = 0;
            while (i < challenge.Length)
            {
                var eq = challenge.IndexOf('=', i);
                if (eq < 0)
                {
                    break;
                }

                var key = challenge[i..eq].Trim(' ', ',');
                string value;
                if (eq + 1 < challenge.Length && challenge[eq + 1] == '"')
                {
                    var end = challenge.IndexOf('"', eq + 2);
                    end = end < 0 ? challenge.Length : end;
                    value = challenge[(eq + 2)..end];
                    i = end + 1;
                }
                else
                {
                    var end = challenge.IndexOf(',', eq + 1);
                    end = end < 0 ? challenge.Length : end;
                    value = challenge[(eq + 1)..end];
                    i = end;
                }

                result[key] = value;
                i++;
            }

            return result;
        }
    }
}
