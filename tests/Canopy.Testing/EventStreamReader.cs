using System.Net.ServerSentEvents;
using System.Text.Json;
using System.Threading.Channels;
using Canopy.Contracts;
using Canopy.Contracts.Api;

namespace Canopy.Testing;

/// <summary>
/// An open <c>GET /api/v1/events?follow=true</c> stream, read in the background: tests wait for the event they expect with a deadline,
/// and see the comments (keep-alives) and the raw fields as the server wrote them.
/// </summary>
public sealed class EventStreamReader : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<SseItem<string>> _items = Channel.CreateUnbounded<SseItem<string>>();
    private readonly Task _reading;
    private int _comments;

    private EventStreamReader(HttpResponseMessage response)
    {
        _response = response;
        _reading = ReadAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>How many comment lines (<c>: keep-alive</c>) the server has sent so far.</summary>
    public int Comments => Volatile.Read(ref _comments);

    /// <summary>Every event read so far, in order.</summary>
    public List<EventDocument> Seen { get; } = [];

    /// <summary>Opens the stream at <paramref name="path"/> (e.g. <c>/api/v1/events?follow=true</c>) and checks it is one.</summary>
    public static async Task<EventStreamReader> OpenAsync(HttpClient client, string path, string? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode || response.Content.Headers.ContentType?.MediaType != "text/event-stream")
        {
            var body = await response.Content.ReadAsStringAsync();
            response.Dispose();
            throw new InvalidOperationException($"GET {path}: {(int)response.StatusCode} {response.Content.Headers.ContentType} {body}");
        }

        return new EventStreamReader(response);
    }

    /// <summary>Reads events until one matches <paramref name="match"/>; fails with what was seen once <paramref name="timeout"/> passes.</summary>
    public async Task<EventDocument> NextAsync(Func<EventDocument, bool> match, TimeSpan timeout, string what)
    {
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var item = await _items.Reader.ReadAsync(deadline.Token);
                var e = JsonSerializer.Deserialize<EventDocument>(item.Data, CanopyJson.Options)
                    ?? throw new InvalidOperationException($"event {item.EventId}: no data");
                if (item.EventId != e.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) || item.EventType != e.Kind)
                {
                    throw new InvalidOperationException($"SSE fields id={item.EventId} event={item.EventType} do not match the data {item.Data}");
                }

                Seen.Add(e);
                if (match(e))
                {
                    return e;
                }
            }
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for {what}. Seen: " +
                string.Join("; ", Seen.Select(e => $"{e.Id} {e.Kind} {e.Status} {e.Reason}")));
        }
        catch (ChannelClosedException)
        {
            throw new InvalidOperationException($"The stream ended before {what}. Seen: " +
                string.Join("; ", Seen.Select(e => $"{e.Id} {e.Kind} {e.Status} {e.Reason}")));
        }
    }

    /// <summary>Completes when the server ends the stream.</summary>
    public Task Ended => _reading;

    private async Task ReadAsync()
    {
        try
        {
            // Read line by line rather than with SseParser: the tests look at the comments too, which it skips.
            using var lines = new StreamReader(await _response.Content.ReadAsStreamAsync(_stop.Token));
            string? id = null, type = null, data = null;
            while (await lines.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data is not null)
                    {
                        await _items.Writer.WriteAsync(new SseItem<string>(data, type) { EventId = id });
                    }

                    (id, type, data) = (null, null, null);
                }
                else if (line.StartsWith(':'))
                {
                    Interlocked.Increment(ref _comments);
                }
                else if (line.Split(": ", 2) is [var field, var value])
                {
                    _ = field switch
                    {
                        "id" => id = value,
                        "event" => type = value,
                        "data" => data = data is null ? value : data + "\n" + value,
                        _ => null,
                    };
                }
            }
        }
        catch (Exception e) when (_stop.IsCancellationRequested || e is OperationCanceledException or IOException or HttpRequestException)
        {
            // Stopped by the test (whatever the stream throws once its response is disposed under a pending read: the test
            // host's says "Reading is not allowed after reader was completed"), or the server went.
        }
        finally
        {
            _items.Writer.TryComplete();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _response.Dispose();
        await _reading;
        _stop.Dispose();
    }
}
