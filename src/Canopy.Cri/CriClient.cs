using Canopy.Cri.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace Canopy.Cri;

/// <summary>
/// A client for the CRI (runtime.v1) RuntimeService and ImageService of a container runtime (containerd) on its
/// unix socket, on the clients Grpc.Tools generates from <c>Protos/cri.proto</c>. Only unary calls. Thread-safe;
/// keep one per socket, since its channel holds the HTTP/2 connection.
/// Every call fails with <see cref="CriException"/> (gRPC status, runtime's message) or, when its token is
/// cancelled, with <see cref="OperationCanceledException"/>.
/// </summary>
public sealed partial class CriClient : IDisposable
{
    private const string RuntimeServiceName = "RuntimeService";
    private const string ImageServiceName = "ImageService";

    // Stop and exec wait for the container on the runtime's side; the call's deadline must outlast that wait.
    private static readonly TimeSpan RuntimeWaitMargin = TimeSpan.FromSeconds(30);

    private readonly GrpcChannel _channel;
    private readonly RuntimeService.RuntimeServiceClient _runtime;
    private readonly ImageService.ImageServiceClient _images;
    private readonly TimeSpan _defaultTimeout;

    /// <param name="socketPath">containerd's socket, e.g. <c>/run/containerd/containerd.sock</c>.</param>
    /// <param name="defaultTimeout">Deadline of each call; 2 minutes by default, because a pull of a large image is one call.</param>
    public CriClient(string socketPath, TimeSpan? defaultTimeout = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        if (defaultTimeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(defaultTimeout), t, "must be positive");
        }

        SocketPath = socketPath;
        _defaultTimeout = defaultTimeout ?? TimeSpan.FromMinutes(2);
        _channel = UnixSocketChannel.Create(socketPath);
        _runtime = new RuntimeService.RuntimeServiceClient(_channel);
        _images = new ImageService.ImageServiceClient(_channel);
    }

    public string SocketPath { get; }

    public void Dispose() => _channel.Dispose();

    private Task<TResponse> RuntimeAsync<TRequest, TResponse>(
        string method, Func<TRequest, CallOptions, AsyncUnaryCall<TResponse>> call, TRequest request, CancellationToken ct, TimeSpan? timeout = null) =>
        CallAsync($"{RuntimeServiceName}/{method}", call, request, timeout ?? _defaultTimeout, ct);

    private Task<TResponse> ImageAsync<TRequest, TResponse>(
        string method, Func<TRequest, CallOptions, AsyncUnaryCall<TResponse>> call, TRequest request, CancellationToken ct) =>
        CallAsync($"{ImageServiceName}/{method}", call, request, _defaultTimeout, ct);

    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        string method, Func<TRequest, CallOptions, AsyncUnaryCall<TResponse>> call, TRequest request, TimeSpan timeout, CancellationToken ct)
    {
        using var pending = call(request, new CallOptions(deadline: DeadlineAfter(timeout), cancellationToken: ct));
        try
        {
            return await pending.ResponseAsync.ConfigureAwait(false);
        }
        catch (RpcException e)
        {
            throw CriErrors.Translate(method, e, SocketPath, timeout, ct);
        }
    }

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

    /// <summary>A deadline <paramref name="timeout"/> from now; one past the calendar's end means none (DateTime.MaxValue).</summary>
    private static DateTime DeadlineAfter(TimeSpan timeout)
    {
        var now = DateTime.UtcNow;
        return timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
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
