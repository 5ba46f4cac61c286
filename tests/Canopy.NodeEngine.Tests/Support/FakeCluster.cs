using System.Collections.Concurrent;
using System.Net;
using Canopy.Contracts;
using Canopy.Contracts.Registration;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>The cluster's registration endpoint only: checks the join token and hands out the test broker.</summary>
public sealed class FakeCluster : IAsyncDisposable
{
    public const string Token = "node-join-secret";

    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private readonly int _brokerPort;
    private readonly string? _subnet;

    public FakeCluster(int brokerPort, string? subnet = null)
    {
        _brokerPort = brokerPort;
        _subnet = subnet;
        var port = Ports.Free();
        Url = $"http://127.0.0.1:{port}";
        _listener.Prefixes.Add(Url + "/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public string Url { get; }

    public string AssignedId { get; } = "node-" + Guid.NewGuid().ToString("N")[..8];

    public ConcurrentQueue<NodeRegisterRequest> Registrations { get; } = new();

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            using var response = context.Response;
            if (context.Request.HttpMethod != "POST" || context.Request.Url?.AbsolutePath != "/api/node/register")
            {
                response.StatusCode = 404;
                continue;
            }

            using var reader = new StreamReader(context.Request.InputStream);
            var request = CanopyJson.Deserialize<NodeRegisterRequest>(await reader.ReadToEndAsync())!;
            Registrations.Enqueue(request);
            if (request.JoinToken != Token)
            {
                response.StatusCode = 401;
                continue;
            }

            var id = request.Id ?? AssignedId;
            var body = CanopyJson.SerializeToUtf8(new NodeRegisterResponse(id, new MqttCredentials("127.0.0.1", _brokerPort, id, "secret"), _subnet));
            response.ContentType = "application/json";
            await response.OutputStream.WriteAsync(body);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
