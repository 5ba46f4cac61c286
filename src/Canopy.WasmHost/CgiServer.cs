using System.Net;
using System.Text;
using Wasmtime;

namespace Canopy.WasmHost;

/// <summary>
/// Serving a WASI preview 1 module on the SLA's port the way WAGI does: preview 1 cannot create or accept sockets (and
/// libwasmtime 50 no longer pre-opens listeners for it), so the host binds the port and runs the compiled module once per
/// request: CGI variables in the WASI environment, the body on stdin, the response (CGI headers, blank line, body) from
/// stdout; stderr goes to the instance log. Instantiating a compiled module takes microseconds, and a request cannot leave
/// state behind for the next one.
/// </summary>
internal static class CgiServer
{
    private const int MaxBodyBytes = 16 * 1024 * 1024;

    public static async Task<int> RunAsync(ModuleHost host, int port)
    {
        // Instantiated once before serving: an import Wasmtime lacks or a trap in the start function is a failed deploy, not
        // a 500 on every request.
        using (var probe = host.NewStore(new WasiConfiguration().WithArgs(host.Arguments).WithInheritedStandardError()))
        {
            try
            {
                var instance = host.Instantiate(probe);
                if (instance.GetAction("_start") is null)
                {
                    return Fail(host, "the module exports no _start function: it is not a WASI command");
                }
            }
            catch (WasmtimeException e)
            {
                return Fail(host, $"{(e is TrapException ? "the module trapped while instantiating" : "the module cannot be instantiated")}: {ModuleHost.OneLine(e.Message)}");
            }
        }

        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://*:{port}/");
        try
        {
            listener.Start();
        }
        catch (HttpListenerException e)
        {
            // Not written as failed: a port taken now may be free at the next start (the restart policy applies).
            Console.Error.WriteLine($"canopy-wasm: cannot listen on port {port}: {e.Message}");
            return HostExit.CannotServe;
        }

        HostStatus.Write(host.Options.StatusFile, HostStatus.Ready);
        using var slots = new SemaphoreSlim(Math.Max(2, Environment.ProcessorCount * 2));
        while (true)
        {
            var context = await listener.GetContextAsync().ConfigureAwait(false);
            await slots.WaitAsync().ConfigureAwait(false);
            _ = Task.Run(async () =>
            {
                try
                {
                    await AnswerAsync(host, context, port).ConfigureAwait(false);
                }
                finally
                {
                    slots.Release();
                }
            });
        }
    }

    private static int Fail(ModuleHost host, string reason)
    {
        Console.Error.WriteLine($"canopy-wasm: {reason}");
        HostStatus.Write(host.Options.StatusFile, "failed: " + reason);
        return HostExit.TrapAtStart;
    }

    private static async Task AnswerAsync(ModuleHost host, HttpListenerContext context, int port)
    {
        var request = context.Request;
        var response = context.Response;
        string? stdin = null;
        try
        {
            if (request.HasEntityBody)
            {
                stdin = Path.Combine(Path.GetTempPath(), $"canopy-wasm-{Environment.ProcessId}-{Guid.NewGuid():N}");
                await using (var file = File.Create(stdin))
                {
                    await CopyLimitedAsync(request.InputStream, file).ConfigureAwait(false);
                }
            }

            var output = new MemoryStream();
            var wasi = new WasiConfiguration()
                .WithArgs(host.Arguments)
                .WithEnvironmentVariables(ModuleHost.ProcessEnvironment().Concat(Variables(request, port)))
                .WithStandardInput(stdin ?? "/dev/null")
                .WithStandardOutputCallback(data =>
                {
                    lock (output)
                    {
                        output.Write(data);
                    }
                })
                .WithInheritedStandardError();
            var (code, error) = Run(host, wasi);
            if (error is not null || (code != 0 && output.Length == 0))
            {
                var reason = error ?? $"the module exited with {code} and wrote no response";
                Console.Error.WriteLine($"canopy-wasm: {request.HttpMethod} {request.Url?.PathAndQuery}: {reason}");
                await WriteAsync(response, 500, "text/plain", Encoding.UTF8.GetBytes(reason + "\n")).ConfigureAwait(false);
                return;
            }

            await WriteCgiAsync(response, output.ToArray()).ConfigureAwait(false);
        }
        catch (Exception e) when (e is HttpListenerException or IOException or InvalidOperationException)
        {
            // The client went away or sent too much; nothing to answer.
            response.Abort();
        }
        finally
        {
            if (stdin is not null)
            {
                File.Delete(stdin);
            }
        }
    }

    private static (int Code, string? Error) Run(ModuleHost host, WasiConfiguration wasi)
    {
        using var store = host.NewStore(wasi);
        try
        {
            host.Instantiate(store).GetAction("_start")!();
            return (0, null);
        }
        catch (WasmtimeException e) when (e.ExitCode is { } code)
        {
            return (code, null);
        }
        catch (WasmtimeException e)
        {
            return (-1, $"the module trapped: {ModuleHost.OneLine(e.Message)}");
        }
    }

    /// <summary>RFC 3875's variables, and WAGI's X_MATCHED_ROUTE, next to the SLA's environment.</summary>
    private static IEnumerable<(string, string)> Variables(HttpListenerRequest request, int port)
    {
        yield return ("GATEWAY_INTERFACE", "CGI/1.1");
        yield return ("SERVER_SOFTWARE", "canopy-wasm");
        yield return ("SERVER_PROTOCOL", $"HTTP/{request.ProtocolVersion}");
        yield return ("SERVER_NAME", request.Url?.Host ?? "localhost");
        yield return ("SERVER_PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("REQUEST_METHOD", request.HttpMethod);
        yield return ("SCRIPT_NAME", "");
        yield return ("PATH_INFO", request.Url?.AbsolutePath ?? "/");
        yield return ("X_MATCHED_ROUTE", "/...");
        yield return ("QUERY_STRING", request.Url?.Query.TrimStart('?') ?? "");
        yield return ("REMOTE_ADDR", request.RemoteEndPoint.Address.ToString());
        yield return ("REMOTE_PORT", request.RemoteEndPoint.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return ("CONTENT_LENGTH", request.HasEntityBody ? request.ContentLength64.ToString(System.Globalization.CultureInfo.InvariantCulture) : "0");
        yield return ("CONTENT_TYPE", request.ContentType ?? "");
        foreach (var name in request.Headers.AllKeys.OfType<string>())
        {
            yield return ("HTTP_" + name.ToUpperInvariant().Replace('-', '_'), request.Headers[name] ?? "");
        }
    }

    /// <summary>CGI output: header lines up to a blank line (Status sets the code), then the body; no headers = a plain-text body.</summary>
    private static Task WriteCgiAsync(HttpListenerResponse response, byte[] output)
    {
        var (headerEnd, bodyStart) = HeaderEnd(output);
        if (headerEnd < 0)
        {
            return WriteAsync(response, 200, "text/plain", output);
        }

        var status = 200;
        var type = "text/plain";
        foreach (var line in Encoding.UTF8.GetString(output, 0, headerEnd).Split('\n'))
        {
            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (name.Equals("Status", StringComparison.OrdinalIgnoreCase))
            {
                _ = int.TryParse(value.Split(' ')[0], out status);
            }
            else if (name.Equals("Content-Type", StringComparison.OrdinalIgnoreCase))
            {
                type = value;
            }
            else if (name.Equals("Location", StringComparison.OrdinalIgnoreCase))
            {
                response.RedirectLocation = value;
                status = status == 200 ? 302 : status;
            }
            else if (!name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                response.AddHeader(name, value);
            }
        }

        return WriteAsync(response, status is >= 100 and < 600 ? status : 500, type, output.AsSpan(bodyStart).ToArray());
    }

    /// <summary>Where the header block ends (index of the blank line, start of the body); (-1, 0) when the output has no headers.</summary>
    private static (int, int) HeaderEnd(byte[] output)
    {
        var firstLine = Array.IndexOf(output, (byte)'\n');
        var first = Encoding.UTF8.GetString(output, 0, firstLine < 0 ? output.Length : firstLine);
        var colon = first.IndexOf(':');
        if (colon <= 0 || first[..colon].Contains(' '))
        {
            return (-1, 0);
        }

        for (var i = 0; i < output.Length - 1; i++)
        {
            if (output[i] == '\n' && output[i + 1] == '\n')
            {
                return (i, i + 2);
            }

            if (output[i] == '\n' && output[i + 1] == '\r' && i + 2 < output.Length && output[i + 2] == '\n')
            {
                return (i, i + 3);
            }
        }

        return (output.Length, output.Length);
    }

    private static async Task WriteAsync(HttpListenerResponse response, int status, string type, byte[] body)
    {
        response.StatusCode = status;
        response.ContentType = type;
        response.ContentLength64 = body.Length;
        await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
        response.Close();
    }

    private static async Task CopyLimitedAsync(Stream from, Stream to)
    {
        var buffer = new byte[65536];
        long total = 0;
        int read;
        while ((read = await from.ReadAsync(buffer).ConfigureAwait(false)) > 0)
        {
            total += read;
            if (total > MaxBodyBytes)
            {
                throw new InvalidOperationException("request body larger than 16 MiB");
            }

            await to.WriteAsync(buffer.AsMemory(0, read)).ConfigureAwait(false);
        }
    }
}
