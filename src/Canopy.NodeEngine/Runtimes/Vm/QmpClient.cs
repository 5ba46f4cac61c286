using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Canopy.NodeEngine.Runtimes.Vm;

/// <summary>
/// A minimal client of QEMU's machine protocol (QMP) on the instance's unix socket: one JSON object a line; the greeting,
/// <c>qmp_capabilities</c>, then commands whose answers are matched in order (events in between are skipped).
/// </summary>
internal sealed class QmpClient : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly StreamReader _reader;
    private readonly NetworkStream _stream;

    /// <param name="socket">Connected: a stream needs one.</param>
    private QmpClient(Socket socket)
    {
        _socket = socket;
        _stream = new NetworkStream(socket, ownsSocket: false);
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    /// <summary>Connects and leaves the capabilities negotiation behind; throws <see cref="QmpException"/> when QEMU does not answer as QMP.</summary>
    public static async Task<QmpClient> ConnectAsync(string socketPath, CancellationToken ct)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            socket.Dispose();
            throw new QmpException($"cannot connect to QMP at {socketPath}: {e.Message}", e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var client = new QmpClient(socket);
        try
        {
            var greeting = await client.ReadObjectAsync(ct).ConfigureAwait(false);
            if (greeting["QMP"] is null)
            {
                throw new QmpException($"{socketPath} did not greet as QMP");
            }

            await client.ExecuteAsync("qmp_capabilities", null, ct).ConfigureAwait(false);
            return client;
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw new QmpException($"cannot talk to QMP at {socketPath}: {e.Message}", e);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs <paramref name="command"/> and returns its <c>return</c> value; a QMP error becomes <see cref="QmpException"/>.</summary>
    public async Task<JsonNode?> ExecuteAsync(string command, JsonObject? arguments, CancellationToken ct)
    {
        var request = new JsonObject { ["execute"] = command };
        if (arguments is not null)
        {
            request["arguments"] = arguments;
        }

        try
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(request.ToJsonString() + "\n"), ct).ConfigureAwait(false);
            while (true)
            {
                var answer = await ReadObjectAsync(ct).ConfigureAwait(false);
                if (answer.TryGetPropertyValue("return", out var value))
                {
                    return value;
                }

                if (answer["error"] is JsonObject error)
                {
                    throw new QmpException($"QMP {command}: {error["desc"]?.GetValue<string>() ?? error.ToJsonString()}");
                }

                // An event ("event": ...): not the answer.
            }
        }
        catch (Exception e) when (e is SocketException or IOException)
        {
            throw new QmpException($"QMP {command}: {e.Message}", e);
        }
    }

    /// <summary>A monitor command (<c>info usernet</c>...) through QMP; its text output.</summary>
    public async Task<string> HumanAsync(string commandLine, CancellationToken ct)
    {
        var value = await ExecuteAsync("human-monitor-command", new JsonObject { ["command-line"] = commandLine }, ct).ConfigureAwait(false);
        return value?.GetValue<string>() ?? "";
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await _stream.DisposeAsync().ConfigureAwait(false);
        _socket.Dispose();
    }

    private async Task<JsonObject> ReadObjectAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct).ConfigureAwait(false) ?? throw new QmpException("QMP closed the connection");
        try
        {
            return JsonNode.Parse(line) as JsonObject ?? throw new QmpException($"QMP sent something else than an object: {line}");
        }
        catch (JsonException e)
        {
            throw new QmpException($"QMP sent something else than JSON: {line}", e);
        }
    }
}

/// <summary>QEMU's QMP socket did not answer, or answered with an error.</summary>
internal sealed class QmpException(string message, Exception? inner = null) : Exception(message, inner);
