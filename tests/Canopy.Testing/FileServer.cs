using System.Net;
using System.Net.Sockets;

namespace Canopy.Testing;

/// <summary>
/// A real HTTP server on 127.0.0.1 for fetch tests: serves files by path, counts requests, and holds a request it is told to
/// hold (a server that accepts and never answers) until disposed.
/// </summary>
public sealed class FileServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, byte[]> _files = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public FileServer()
    {
        Port = FreePort.Block(1);
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public int Port { get; }
    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Paths that get headers only after the server is disposed.</summary>
    public HashSet<string> Hung { get; } = [];

    /// <summary>Delays each answer of a served file (so that concurrent fetches overlap).</summary>
    public TimeSpan Delay { get; set; }

    public string Url(string path) => $"http://127.0.0.1:{Port}/{path.TrimStart('/')}";

    public void Add(string path, byte[] content)
    {
        lock (_files)
        {
            _files["/" + path.TrimStart('/')] = content;
        }
    }

    private async Task ServeAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var path = context.Request.Url!.AbsolutePath;
        try
        {
            if (Hung.Contains(path))
            {
                await Task.Delay(Timeout.Infinite, _stop.Token);
            }

            byte[]? content;
            lock (_files)
            {
                _files.TryGetValue(path, out content);
            }

            if (Delay > TimeSpan.Zero)
            {
                await Task.Delay(Delay, _stop.Token);
            }

            context.Response.StatusCode = content is null ? 404 : 200;
            content ??= "not found"u8.ToArray();
            context.Response.ContentLength64 = content.Length;
            await context.Response.OutputStream.WriteAsync(content);
            context.Response.Close();
        }
        catch (Exception)
        {
            context.Response.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        _listener.Close();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>A TCP port that accepts connections and never says a word (a wedged server).</summary>
public sealed class SilentServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];

    public SilentServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync();
    }

    public int Port { get; }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var socket = await _listener.AcceptSocketAsync();
                lock (_accepted)
                {
                    _accepted.Add(socket);
                }
            }
        }
        catch (Exception)
        {
            // stopped
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        lock (_accepted)
        {
            _accepted.ForEach(s => s.Dispose());
        }
    }
}
