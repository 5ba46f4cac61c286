using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Google.Protobuf;

namespace Canopy.Cri.Transport;

/// <summary>
/// Unary gRPC calls over HTTP/2 on a unix socket, written on HttpClient because Grpc.Net.Client cannot be
/// restored here. One HttpClient per channel: it is thread-safe and keeps the HTTP/2 connection open, so
/// concurrent calls are multiplexed on it and a warm call costs a round trip, not a connect.
/// </summary>
public sealed class GrpcUnixChannel : IDisposable
{
    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");

    private readonly HttpClient _http;

    public GrpcUnixChannel(string socketPath)
    {
        ArgumentException.ThrowIfNullOrEmpty(socketPath);
        SocketPath = socketPath;
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = ConnectAsync,
            // Long calls (a pull) must not hold back short ones when the server limits concurrent streams.
            EnableMultipleHttp2Connections = true,
            // Detects a runtime that went away while the connection sat idle, instead of hanging on it.
            KeepAlivePingDelay = TimeSpan.FromSeconds(30),
            KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
        };
        // Deadlines are per call (grpc-timeout + a linked token), so the client-wide timeout is off.
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public string SocketPath { get; }

    /// <summary>Calls <c>/&lt;service&gt;/&lt;method&gt;</c>, e.g. service <c>runtime.v1.RuntimeService</c>, method <c>Version</c>.</summary>
    /// <exception cref="CriException">Non-OK status, unreachable socket (Unavailable) or deadline passed (DeadlineExceeded).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="ct"/> was cancelled.</exception>
    public async Task<TResponse> CallAsync<TResponse>(
        string service,
        string method,
        IMessage request,
        MessageParser<TResponse> parser,
        TimeSpan timeout,
        CancellationToken ct)
        where TResponse : IMessage<TResponse>
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(parser);
        var label = $"{service[(service.LastIndexOf('.') + 1)..]}/{method}";
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var message = BuildRequest(service, method, request, timeout);
            using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, deadline.Token)
                .ConfigureAwait(false);
            // The whole body is read before the trailers exist; unary answers are small.
            var body = await response.Content.ReadAsByteArrayAsync(deadline.Token).ConfigureAwait(false);
            var payload = GrpcResponse.Interpret(
                label,
                response.StatusCode,
                First(response.Headers, GrpcHeaders.Status),
                First(response.Headers, GrpcHeaders.Message),
                body,
                First(response.TrailingHeaders, GrpcHeaders.Status),
                First(response.TrailingHeaders, GrpcHeaders.Message));
            try
            {
                return parser.ParseFrom(payload.Span);
            }
            catch (InvalidProtocolBufferException e)
            {
                throw new CriException(label, GrpcStatus.Internal, $"undecodable response: {e.Message}", e);
            }
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            throw new CriException(label, GrpcStatus.DeadlineExceeded, $"no answer from {SocketPath} within {timeout}", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError || e.InnerException is SocketException)
        {
            throw new CriException(label, GrpcStatus.Unavailable, $"containerd is not running at {SocketPath} ({Innermost(e).Message})", e);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The connection broke mid-call (runtime restarted, protocol error): a transport failure, like gRPC's own clients report it.
            throw new CriException(label, GrpcStatus.Unavailable, $"connection to {SocketPath} failed: {Innermost(e).Message}", e);
        }
    }

    public void Dispose() => _http.Dispose();

    private static HttpRequestMessage BuildRequest(string service, string method, IMessage request, TimeSpan timeout)
    {
        var content = new ByteArrayContent(GrpcFraming.Encode(request));
        content.Headers.ContentType = GrpcContentType;
        var message = new HttpRequestMessage(HttpMethod.Post, new Uri($"http://localhost/{service}/{method}"))
        {
            Content = content,
            // Must be set on each message: HttpClient.DefaultRequestVersion does not apply to hand-built requests,
            // and containerd resets an HTTP/1.1 connection. Exact = HTTP/2 with prior knowledge (no TLS, no upgrade).
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        message.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        message.Headers.TryAddWithoutValidation(GrpcHeaders.Timeout, GrpcHeaders.FormatTimeout(timeout));
        return message;
    }

    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), ct).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string? First(HttpHeaders headers, string name) =>
        headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }
}
