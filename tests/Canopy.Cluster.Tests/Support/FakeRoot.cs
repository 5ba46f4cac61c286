using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Text.Json;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;
using Canopy.Security;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Tests.Support;

/// <summary>
/// A minimal root on real Kestrel (127.0.0.1, any port): answers cluster registration and holds the link WebSocket,
/// recording everything the cluster sends and letting the test send root → cluster messages.
/// </summary>
internal sealed class FakeRoot : IAsyncDisposable
{
    public const string JoinToken = "root-join-token";
    public const string ClusterId = "c1a55e000000000000000001";
    public const string Credential = "link-credential";

    private readonly WebApplication _app;
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private WebSocket? _socket;
    private long _seq;

    private FakeRoot(WebApplication app) => _app = app;

    public string Url => _app.Urls.First();

    public RecordedList<LinkMessage> Received { get; } = new();

    public RecordedList<ClusterRegisterRequest> Registrations { get; } = new();

    public int LinkConnections { get; private set; }

    /// <summary>Every HTTP request that reached it (after a TLS handshake, when it serves HTTPS).</summary>
    public int Requests => _requests;

    private int _requests;

    /// <summary>Its users' tokens; the cluster gets the public key at registration.</summary>
    public FakeRootUsers Users { get; } = new();

    /// <summary>How far the root's clock is ahead of this machine's, as it tells a registering cluster.</summary>
    public TimeSpan ClockAhead { get; set; }

    /// <summary>The node subnet blocks its registration answer gives; null, as a root of an older build, gives none.</summary>
    public IReadOnlyList<string>? SubnetBlocks { get; set; }

    /// <summary>The replicas' URLs its registration answer names; null, as one root process, names none.</summary>
    public IReadOnlyList<string>? ReplicaUrls { get; set; }

    /// <summary>
    /// Set: it plays a follower replica, answering registration and link as Canopy.Root.Replicas.FollowerAnswer does: 421
    /// problem+json whose <c>leader_url</c> field and <c>Canopy-Leader</c> header name this URL (the leader's base URL, or its link URL).
    /// </summary>
    public string? LeaderUrl { get; set; }

    /// <summary>How many registrations and link attempts it refused as a follower.</summary>
    public int NotLeaderAnswers => _notLeaderAnswers;

    private int _notLeaderAnswers;

    /// <param name="tls">Serve HTTPS with this certificate (sent with its CA, as the real root does); plain HTTP when null.</param>
    public static async Task<FakeRoot> StartAsync(ServerCertificate? tls = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        if (tls is null)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(new TlsHandshakeCallbackOptions
            {
                OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificateContext = tls.Context }),
            })));
        }

        builder.Logging.ClearProviders();
        builder.Services.ConfigureHttpJsonOptions(o => CanopyJson.Configure(o.SerializerOptions));
        var app = builder.Build();
        var root = new FakeRoot(app);
        app.Use((context, next) =>
        {
            Interlocked.Increment(ref root._requests);
            return next(context);
        });
        app.UseWebSockets();
        app.Use((context, next) => root.LeaderUrl is { } leader && context.Request.Path.StartsWithSegments("/api/v1/clusters")
            ? root.NotLeader(context, leader)
            : next(context));
        app.MapPost("/api/v1/clusters/register", (ClusterRegisterRequest request) =>
        {
            root.Registrations.Add(request);
            return request.JoinToken == JoinToken
                ? Results.Ok(new ClusterRegisterResponse(
                    ClusterId, Credential, root.Users.PublicKey, DateTimeOffset.UtcNow + root.ClockAhead, root.SubnetBlocks, root.ReplicaUrls))
                : Results.Problem(statusCode: 401, detail: "invalid cluster join token");
        });
        app.Map("/api/v1/clusters/{id}/link", root.AcceptLinkAsync);
        await app.StartAsync();
        return root;
    }

    public async Task SendAsync<T>(string type, T payload)
    {
        var socket = _socket ?? throw new InvalidOperationException("no link connected");
        var bytes = CanopyJson.SerializeToUtf8(LinkMessage.Create(type, Interlocked.Increment(ref _seq), payload));
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Dies as a killed replica does: its link breaks and its port stops answering.</summary>
    public async Task KillAsync()
    {
        _socket?.Abort();
        await _app.StopAsync();
    }

    /// <summary>Breaks the link as a network failure would; the cluster reconnects.</summary>
    public void DropLink() => _socket?.Abort();

    public Task<LinkMessage> WaitForAsync(string type, Func<LinkMessage, bool>? predicate = null, TimeSpan? timeout = null) =>
        Received.WaitForAsync(m => m.Type == type && (predicate?.Invoke(m) ?? true), $"link message '{type}'", timeout);

    /// <summary>The next <c>instance_status</c> report matching the condition.</summary>
    public async Task<InstanceReport> WaitForStatusAsync(Func<InstanceReport, bool> predicate, string what, TimeSpan? timeout = null)
    {
        var message = await Received.WaitForAsync(
            m => m.Type == LinkMessageTypes.InstanceStatus && predicate(m.Read<InstanceReport>()), what, timeout);
        return message.Read<InstanceReport>();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Users.Dispose();
    }

    /// <summary>The follower's answer of the real root's replicas: 421, <c>Canopy-Leader</c>, problem+json with <c>leader_url</c>.</summary>
    private Task NotLeader(HttpContext context, string leader)
    {
        Interlocked.Increment(ref _notLeaderAnswers);
        context.Response.StatusCode = StatusCodes.Status421MisdirectedRequest;
        context.Response.Headers["Canopy-Leader"] = leader;
        context.Response.ContentType = "application/problem+json";
        return context.Response.WriteAsync(
            $$"""{"title":"Not the leader","status":421,"detail":"root replica r2 does not lead; the leader is {{leader}}","leader_url":"{{leader}}","term":3}""");
    }

    private async Task AcceptLinkAsync(HttpContext context, string id)
    {
        if (id != ClusterId || context.Request.Headers.Authorization.ToString() != $"Bearer {Credential}")
        {
            context.Response.StatusCode = 401;
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        _socket = socket;
        LinkConnections++;
        var buffer = new byte[1 << 20];
        try
        {
            while (socket.State == WebSocketState.Open)
            {
                var length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer.AsMemory(length), context.RequestAborted);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        return;
                    }

                    length += result.Count;
                }
                while (!result.EndOfMessage);

                Received.Add(JsonSerializer.Deserialize<LinkMessage>(buffer.AsSpan(0, length), CanopyJson.Options)!);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
            // The cluster went away.
        }
    }
}
