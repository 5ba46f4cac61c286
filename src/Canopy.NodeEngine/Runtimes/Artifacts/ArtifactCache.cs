using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Canopy.Contracts;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Runtimes.Artifacts;

/// <summary>
/// The files runtimes run (wasm modules, kernels), fetched over HTTP(S) or from an OCI registry, kept by content digest under
/// <c>&lt;DataDir&gt;/artifacts/</c>. A fetch has a connect timeout, an answer timeout, an overall deadline and a size limit
/// (<see cref="NodeEngineOptions"/>), is written to a temporary file, checked against the digest when one is known and only
/// then moved into place; instances that ask for the same thing at once share one download. The cache is kept within
/// <see cref="NodeEngineOptions.ArtifactCacheMaxMb"/> (see <c>ArtifactCache.Pruning.cs</c>).
/// </summary>
public sealed partial class ArtifactCache : IDisposable
{
    private readonly NodeEngineOptions _options;
    private readonly ILogger<ArtifactCache> _logger;
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, Lazy<Task<Artifact>>> _inFlight = new();
    private readonly CancellationTokenSource _disposed = new();

    public ArtifactCache(NodeEngineOptions options, ILogger<ArtifactCache> logger)
    {
        _options = options;
        _logger = logger;
        var connectTimeout = options.ArtifactConnectTimeout;
        var handler = new SocketsHttpHandler
        {
            // Our own connect, so that a host that never accepts is told apart from one that accepts and never answers.
            ConnectCallback = (context, token) => ConnectAsync(context.DnsEndPoint, connectTimeout, token),
            AllowAutoRedirect = true,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("canopy-node");

        // What the node fetched before it stopped counts against the limit as well (a lowered limit takes effect here).
        Prune();
    }

    public string Dir => Path.Combine(_options.DataDir, "artifacts");

    /// <summary>The cached file of a digest (<c>sha256:&lt;hex&gt;</c>), whether or not it is there.</summary>
    public string PathOf(string digest) => Path.Combine(Dir, digest.Replace(':', '-'));

    /// <summary>
    /// The file <paramref name="code"/> names, from the cache when its digest is known and cached, else fetched.
    /// Throws <see cref="ArtifactFetchException"/> with a one-line reason.
    /// </summary>
    /// <param name="what">The noun for messages: "module", "kernel", "initrd".</param>
    /// <param name="login">The service's registry login; used only for its own registry host.</param>
    public Task<Artifact> FetchAsync(string? code, string what, RegistryCredential? login, CancellationToken ct) =>
        FetchAsync(code, what, login, usedBy: null, ct);

    /// <inheritdoc cref="FetchAsync(string?, string, RegistryCredential?, CancellationToken)"/>
    /// <param name="usedBy">
    /// The directory of the instance that will use the file: it stays in the cache, however old, while that directory exists.
    /// Without one, the file may be pruned by a later fetch.
    /// </param>
    public async Task<Artifact> FetchAsync(string? code, string what, RegistryCredential? login, string? usedBy, CancellationToken ct)
    {
        var reference = ArtifactReference.Parse(code, what, out var error) ?? throw new ArtifactFetchException(error!);
        var fetch = BeginFetch();
        try
        {
            Artifact artifact;
            if (reference.ContentDigest is { } pinned && Cached(pinned) is { } hit)
            {
                artifact = hit;
            }
            else
            {
                // One download per thing: the key includes the login, so a service never rides on another's credentials.
                var key = reference.Text + "\n" + (login is null ? "" : login.Host + "\n" + login.Username);
                var lazy = _inFlight.GetOrAdd(key, _ => new Lazy<Task<Artifact>>(() => RunSharedAsync(key, reference, what, login)));
                artifact = await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
            }

            if (usedBy is not null)
            {
                RecordUse(usedBy, artifact);
            }

            Prune(keep: artifact.Digest);
            return artifact;
        }
        finally
        {
            EndFetch(fetch);
        }
    }

    private async Task<Artifact> RunSharedAsync(string key, ArtifactReference reference, string what, RegistryCredential? login)
    {
        // Not the caller's token: others may wait on the same download. The overall deadline and disposal end it.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
        deadline.CancelAfter(_options.ArtifactDownloadTimeout);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var artifact = reference.IsUrl
                ? await FetchUrlAsync(reference, what, deadline.Token).ConfigureAwait(false)
                : await FetchFromRegistryAsync(reference, what, login, deadline.Token).ConfigureAwait(false);
            LogFetched(_logger, reference.Text, artifact.Digest, artifact.Size, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            return artifact;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !_disposed.IsCancellationRequested)
        {
            throw new ArtifactFetchException(
                $"{Describe(reference, what)} was not fetched within {Seconds(_options.ArtifactDownloadTimeout)} (ArtifactDownloadTimeout)");
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            throw new ArtifactFetchException($"{Describe(reference, what)}: the node engine stopped during the download");
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }

    private async Task<Artifact> FetchUrlAsync(ArtifactReference reference, string what, CancellationToken ct)
    {
        var label = $"{what} URL {reference.Url}";
        using var request = new HttpRequestMessage(HttpMethod.Get, reference.Url);
        using var response = await SendAsync(request, label, ct).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new ArtifactFetchException($"{label} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        return await StoreAsync(response, label, reference.ContentDigest, ct).ConfigureAwait(false);
    }

    /// <summary>Sends with the answer timeout (headers); turns network failures into one-line reasons naming <paramref name="label"/>.</summary>
    internal async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, string label, CancellationToken ct)
    {
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        answer.CancelAfter(_options.ArtifactAnswerTimeout);
        try
        {
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, answer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (answer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ArtifactFetchException($"{label} did not answer within {Seconds(_options.ArtifactAnswerTimeout)}");
        }
        catch (HttpRequestException e)
        {
            throw new ArtifactFetchException($"{label} cannot be reached: {Reason(e)}", e);
        }
    }

    /// <summary>The body to a temporary file (size limit, sha256 as it streams), checked, then moved to its digest's name.</summary>
    internal async Task<Artifact> StoreAsync(HttpResponseMessage response, string label, string? expectedDigest, CancellationToken ct)
    {
        var limit = _options.ArtifactMaxBytes;
        if (response.Content.Headers.ContentLength is { } length && length > limit)
        {
            throw TooLarge(label, limit);
        }

        if (expectedDigest is not null && Cached(expectedDigest) is { } hit)
        {
            return hit;
        }

        var temporary = Path.Combine(Dir, "tmp", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(temporary)!);
        try
        {
            long size = 0;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            await using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0, useAsync: true))
            await using (var body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false))
            {
                var buffer = new byte[81920];
                int read;
                while ((read = await ReadAsync(body, buffer, label, ct).ConfigureAwait(false)) > 0)
                {
                    size += read;
                    if (size > limit)
                    {
                        throw TooLarge(label, limit);
                    }

                    sha.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), ct).ConfigureAwait(false);
                }

                await file.FlushAsync(ct).ConfigureAwait(false);
            }

            var digest = "sha256:" + Convert.ToHexStringLower(sha.GetHashAndReset());
            if (expectedDigest is not null && !string.Equals(digest, expectedDigest, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArtifactFetchException($"{label} has digest {digest}, expected {expectedDigest}: it is not what was published");
            }

            var path = PathOf(digest);
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            File.Move(temporary, path, overwrite: true);
            return new Artifact(path, digest, size);
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    /// <summary>Reads with the answer timeout per read: a server that stops sending mid-body is named as such.</summary>
    private async Task<int> ReadAsync(Stream body, byte[] buffer, string label, CancellationToken ct)
    {
        using var answer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        answer.CancelAfter(_options.ArtifactAnswerTimeout);
        try
        {
            return await body.ReadAsync(buffer, answer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (answer.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            throw new ArtifactFetchException($"{label} stopped sending for {Seconds(_options.ArtifactAnswerTimeout)} in the middle of the download");
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new ArtifactFetchException($"{label}: the download broke off ({e.Message})", e);
        }
    }

    private Artifact? Cached(string digest)
    {
        var path = PathOf(digest.ToLowerInvariant());
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            return null;
        }

        Touch(path);
        return new Artifact(path, digest.ToLowerInvariant(), info.Length);
    }

    private static ArtifactFetchException TooLarge(string label, long limit) =>
        new($"{label} is larger than the node's limit of {limit / (1024.0 * 1024):0.#} MiB (ArtifactMaxBytes)");

    private static string Describe(ArtifactReference reference, string what) =>
        reference.IsUrl ? $"{what} URL {reference.Url}" : $"{what} {reference.Text}";

    internal static string Seconds(TimeSpan span) => $"{span.TotalSeconds:0.#} s";

    private static string Reason(HttpRequestException e) => e.InnerException switch
    {
        ConnectTimeoutException t => t.Message,
        SocketException s => s.SocketErrorCode switch
        {
            SocketError.ConnectionRefused => "connection refused (nothing listens there)",
            SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "its host name does not resolve",
            _ => s.Message,
        },
        { } inner => inner.Message,
        null => e.Message,
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, TimeSpan timeout, CancellationToken ct)
    {
        using var connect = CancellationTokenSource.CreateLinkedTokenSource(ct);
        connect.CancelAfter(timeout);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, connect.Token).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch (OperationCanceledException) when (connect.IsCancellationRequested && !ct.IsCancellationRequested)
        {
            socket.Dispose();
            throw new ConnectTimeoutException($"no connection within {Seconds(timeout)}");
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _disposed.Cancel();
        _http.Dispose();
        _disposed.Dispose();
    }

    private sealed class ConnectTimeoutException(string message) : Exception(message);

    [LoggerMessage(EventId = 4600, Level = LogLevel.Information, Message = "Fetched {Code} ({Digest}, {Size} bytes) in {Ms} ms")]
    private static partial void LogFetched(ILogger logger, string code, string digest, long size, long ms);
}
