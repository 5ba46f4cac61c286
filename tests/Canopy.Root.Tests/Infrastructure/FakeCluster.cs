using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Link;
using Canopy.Contracts.Registration;

namespace Canopy.Root.Tests.Infrastructure;

/// <summary>
/// Plays a cluster orchestrator against the root: registers with the join token, opens the link WebSocket with its
/// credential, sends what a cluster sends and records what the root sends it. Requests are answered by <see cref="Answer"/>.
/// </summary>
internal sealed class FakeCluster : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly Channel<LinkMessage> _inbox = Channel.CreateUnbounded<LinkMessage>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private long _sequence;

    private FakeCluster(string id, string name, WebSocket socket)
    {
        Id = id;
        Name = name;
        _socket = socket;
        _reader = Task.Run(ReadAsync);
    }

    public string Id { get; }
    public string Name { get; }

    /// <summary>Why the root closed the link (its close frame's description); null while open.</summary>
    public string? CloseDescription { get; private set; }

    /// <summary>Completes when the link has ended.</summary>
    public Task Closed => _reader;

    /// <summary>Answers the root's requests; null = leave unanswered.</summary>
    public Func<LinkRequest, LinkResponse?>? Answer { get; set; }

    /// <summary>The link credential of its registration (a cluster sends it when it registers again).</summary>
    public string Credential { get; private init; } = "";

    /// <summary>The secret a fake cluster of this name registers with (as a real one keeps it in its store).</summary>
    public static string SecretOf(string name) => $"secret-of-cluster-{name}-0123456789abcdef";

    public static async Task<ClusterRegisterResponse> RegisterAsync(
        RootHost root, string name, string joinToken = RootHost.JoinToken, string? previousCredential = null, string? secret = null)
    {
        var response = await root.Client.PostAsJsonAsync("/api/v1/clusters/register", new
        {
            cluster_name = name,
            join_token = joinToken,
            cluster_location = "48.1,11.6",
            secret = secret ?? SecretOf(name),
            credential = previousCredential,
        });
        response.StatusCode.ShouldBe(System.Net.HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<ClusterRegisterResponse>(CanopyJson.Options))!;
    }

    public static async Task<WebSocket> OpenLinkAsync(RootHost root, string id, string? credential)
    {
        var client = root.Server.CreateWebSocketClient();
        if (credential is not null)
        {
            client.ConfigureRequest = r => r.Headers.Authorization = $"Bearer {credential}";
        }

        // A root on PostgreSQL answers 503 until it has taken the leadership (a moment after its start); a real cluster tries
        // again then, and so does this one.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (true)
        {
            try
            {
                return await client.ConnectAsync(new Uri($"ws://localhost/api/v1/clusters/{id}/link"), CancellationToken.None);
            }
            catch (InvalidOperationException e) when (e.Message.EndsWith("status code: 503", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Registers, links, says hello (with <paramref name="instances"/>) and reports resources: the cluster is then active.</summary>
    public static async Task<FakeCluster> ConnectAsync(RootHost root, string name, params InstanceReport[] instances)
    {
        var registration = await RegisterAsync(root, name);
        return await LinkAsync(root, name, registration, instances);
    }

    /// <summary>The same cluster registering again (with its last credential, as a restarted cluster does) and linking.</summary>
    public static async Task<FakeCluster> ConnectAgainAsync(RootHost root, FakeCluster previous)
    {
        var registration = await RegisterAsync(root, previous.Name, previousCredential: previous.Credential);
        return await LinkAsync(root, previous.Name, registration, []);
    }

    private static async Task<FakeCluster> LinkAsync(RootHost root, string name, ClusterRegisterResponse registration, InstanceReport[] instances)
    {
        var cluster = new FakeCluster(registration.Id, name, await OpenLinkAsync(root, registration.Id, registration.Credential))
        {
            Credential = registration.Credential,
        };
        await cluster.SendAsync(LinkMessageTypes.Hello, new ClusterHello(registration.Id, instances));
        await cluster.SendResourcesAsync();
        return cluster;
    }

    /// <summary>An aggregate of its workers: by default one amd64 node with exec and container.</summary>
    public Task SendResourcesAsync(
        double vcpus = 8, long memoryMb = 8192, string[]? virtualization = null, string[]? architecture = null, JsonObject? unavailableRuntimes = null)
    {
        var resources = new JsonObject
        {
            ["vcpus"] = vcpus,
            ["memory"] = memoryMb,
            ["memory_total"] = memoryMb,
            ["cpu_percent"] = 3.5,
            ["memory_percent"] = 20.0,
            ["virtualization"] = new JsonArray([.. (virtualization ?? ["exec", "container"]).Select(v => (JsonNode?)v)]),
            ["architecture"] = new JsonArray([.. (architecture ?? ["amd64"]).Select(a => (JsonNode?)a)]),
            ["active_nodes"] = 1,
            ["gpu_model"] = "none",
        };
        if (unavailableRuntimes is not null)
        {
            resources["unavailable_runtimes"] = unavailableRuntimes;
        }

        return SendAsync(LinkMessageTypes.Resources, new ClusterResources(resources));
    }

    public async Task SendAsync<T>(string type, T payload)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(LinkMessage.Create(type, Interlocked.Increment(ref _sequence), payload), CanopyJson.Options);
        await _sendLock.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>The next message of <paramref name="type"/> the root sent (others are skipped), within the deadline.</summary>
    public async Task<LinkMessage> NextAsync(string type, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? Eventually.DefaultTimeout);
        try
        {
            while (true)
            {
                var message = await _inbox.Reader.ReadAsync(deadline.Token);
                if (message.Type == type)
                {
                    return message;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"cluster {Name} received no '{type}' message in time");
        }
    }

    /// <summary>The next message of <paramref name="type"/> whose payload matches (earlier ones are skipped), within the deadline.</summary>
    public async Task<T> NextAsync<T>(string type, Func<T, bool> match, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Eventually.DefaultTimeout);
        var seen = 0;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            LinkMessage message;
            try
            {
                message = await NextAsync(type, left > TimeSpan.Zero ? left : TimeSpan.Zero);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"cluster {Name} received no matching '{type}' message in time ({seen} others)");
            }

            var payload = message.Read<T>();
            if (match(payload))
            {
                return payload;
            }

            seen++;
        }
    }

    /// <summary>Closes the link as a cluster would on shutdown.</summary>
    public async Task CloseAsync()
    {
        if (_socket.State == WebSocketState.Open)
        {
            await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
        }

        await _reader.WaitAsync(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _reader.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException or WebSocketException)
        {
            // Closing anyway.
        }

        _socket.Dispose();
        _stop.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(buffer, _stop.Token);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        CloseDescription = result.CloseStatusDescription ?? "";
                        _inbox.Writer.TryComplete();
                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var received = JsonSerializer.Deserialize<LinkMessage>(message.ToArray(), CanopyJson.Options)!;
                if (received.Type == LinkMessageTypes.Request && Answer?.Invoke(received.Read<LinkRequest>()) is { } answer)
                {
                    await SendAsync(LinkMessageTypes.Response, answer);
                }

                await _inbox.Writer.WriteAsync(received);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            _inbox.Writer.TryComplete();
        }
    }
}
