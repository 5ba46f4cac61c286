using Canopy.Cri.Transport;
using Google.Protobuf;

namespace Canopy.Cri;

/// <summary>
/// A client for the CRI (runtime.v1) RuntimeService and ImageService of a container runtime (containerd) on its
/// unix socket. Only unary calls. Thread-safe; keep one per socket, since it holds the HTTP/2 connection.
/// Every call fails with <see cref="CriException"/> (gRPC status, runtime's message) or, when its token is
/// cancelled, with <see cref="OperationCanceledException"/>.
/// </summary>
public sealed partial class CriClient : IDisposable
{
    private const string RuntimeService = "runtime.v1.RuntimeService";
    private const string ImageService = "runtime.v1.ImageService";

    // Stop and exec wait for the container on the runtime's side; the call's deadline must outlast that wait.
    private static readonly TimeSpan RuntimeWaitMargin = TimeSpan.FromSeconds(30);

    private readonly GrpcUnixChannel _channel;
    private readonly TimeSpan _defaultTimeout;

    /// <param name="socketPath">containerd's socket, e.g. <c>/run/containerd/containerd.sock</c>.</param>
    /// <param name="defaultTimeout">Deadline of each call; 2 minutes by default, because a pull of a large image is one call.</param>
    public CriClient(string socketPath, TimeSpan? defaultTimeout = null)
    {
        if (defaultTimeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(defaultTimeout), t, "must be positive");
        }

        _channel = new GrpcUnixChannel(socketPath);
        _defaultTimeout = defaultTimeout ?? TimeSpan.FromMinutes(2);
    }

    public string SocketPath => _channel.SocketPath;

    public void Dispose() => _channel.Dispose();

    private Task<TResponse> RuntimeAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, CancellationToken ct, TimeSpan? timeout = null)
        where TResponse : IMessage<TResponse> =>
        _channel.CallAsync(RuntimeService, method, request, parser, timeout ?? _defaultTimeout, ct);

    private Task<TResponse> ImageAsync<TResponse>(string method, IMessage request, MessageParser<TResponse> parser, CancellationToken ct)
        where TResponse : IMessage<TResponse> =>
        _channel.CallAsync(ImageService, method, request, parser, _defaultTimeout, ct);

    /// <summary>The default deadline, or longer when the runtime itself is told to wait <paramref name="seconds"/>.</summary>
    private TimeSpan TimeoutCovering(long seconds)
    {
        if (seconds <= 0)
        {
            return _defaultTimeout;
        }

        var needed = TimeSpan.FromSeconds(Math.Min(seconds, (long)TimeSpan.MaxValue.TotalSeconds / 2)) + RuntimeWaitMargin;
        return needed > _defaultTimeout ? needed : _defaultTimeout;
    }

    private static void AddLabels(Google.Protobuf.Collections.MapField<string, string> target, IReadOnlyDictionary<string, string>? labels)
    {
        if (labels is null)
        {
            return;
        }

        foreach (var (key, value) in labels)
        {
            target[key] = value;
        }
    }
}
