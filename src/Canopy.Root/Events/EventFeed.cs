using System.Threading.Channels;
using Canopy.Root.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Canopy.Root.Events;

/// <summary>
/// Hands every fleet event, once stored, to the streams open on this replica (<c>GET /api/v1/events?follow=true</c>). The store is the
/// source of truth: one loop reads what is new since the last event it handed on, woken at once by this replica's writes and every
/// <see cref="PollInterval"/> for those of other replicas (a follower's streams see the leader's events that way). Each stream filters
/// for itself what its caller may see.
/// </summary>
internal sealed partial class EventFeed(IRootStore store, TimeProvider time, ILogger<EventFeed> log) : BackgroundService
{
    /// <summary>How often the store is looked at without a wake-up from this replica.</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a missing id is waited for. On PostgreSQL ids are taken at insert and committed in any order, so an id may appear after a
    /// greater one; one that never comes was rolled back.
    /// </summary>
    private static readonly TimeSpan GapPatience = TimeSpan.FromSeconds(2);

    private const int Page = 500;

    private readonly Lock _gate = new();
    private readonly List<EventSubscription> _subscribers = [];
    private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _cursor;
    private DateTimeOffset? _gapSince;

    /// <summary>Wakes the loop: this replica just stored something.</summary>
    public void Wake() => _wake.Writer.TryWrite(true);

    /// <summary>
    /// A subscription to every event stored after <see cref="EventSubscription.Start"/>; the events up to it are the store's to give
    /// (the backlog), so nothing is missed or given twice between the two.
    /// </summary>
    public async Task<EventSubscription> SubscribeAsync(CancellationToken ct)
    {
        await _started.Task.WaitAsync(ct);
        lock (_gate)
        {
            var subscription = new EventSubscription(this, _cursor);
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    internal void Unsubscribe(EventSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!_started.Task.IsCompleted)
        {
            try
            {
                _cursor = await store.LastEventIdAsync(stoppingToken);
                _started.TrySetResult();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReadFailed(e);
                await Task.Delay(PollInterval, time, stoppingToken);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            var waiting = false;
            try
            {
                waiting = await HandOnAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                ReadFailed(e);
            }

            await WaitAsync(waiting ? TimeSpan.FromMilliseconds(100) : PollInterval, stoppingToken);
        }

        lock (_gate)
        {
            foreach (var subscriber in _subscribers)
            {
                subscriber.End();
            }
        }
    }

    /// <summary>Hands on what is new, in id order; true when it stopped at a missing id that may still come.</summary>
    private async Task<bool> HandOnAsync(CancellationToken ct)
    {
        while (true)
        {
            var events = await store.ListEventsAsync(EventQuery.All(_cursor, Page), ct);
            foreach (var stored in events)
            {
                if (stored.Event.Id != _cursor + 1)
                {
                    var now = time.GetUtcNow();
                    _gapSince ??= now;
                    if (now - _gapSince < GapPatience)
                    {
                        return true;
                    }
                }

                _gapSince = null;
                Publish(stored);
            }

            if (events.Count < Page)
            {
                return false;
            }
        }
    }

    private void Publish(StoredEvent stored)
    {
        lock (_gate)
        {
            _cursor = stored.Event.Id;
            for (var i = _subscribers.Count - 1; i >= 0; i--)
            {
                if (!_subscribers[i].Offer(stored))
                {
                    // A reader this far behind starts again from its Last-Event-ID rather than holding the others' memory.
                    _subscribers[i].End();
                    _subscribers.RemoveAt(i);
                }
            }
        }
    }

    private async Task WaitAsync(TimeSpan interval, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(interval);
        try
        {
            await _wake.Reader.WaitToReadAsync(timeout.Token);
            _wake.Reader.TryRead(out _);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            // The interval passed.
        }
    }

    [LoggerMessage(EventId = 1901, Level = LogLevel.Warning, Message = "Reading new fleet events failed; trying again")]
    private partial void ReadFailed(Exception e);
}

/// <summary>One stream's share of the <see cref="EventFeed"/>: the events stored after <see cref="Start"/>, in order.</summary>
internal sealed class EventSubscription(EventFeed feed, long start) : IDisposable
{
    /// <summary>How many events a stream may fall behind before it is ended (its reader resumes with Last-Event-ID).</summary>
    private const int Capacity = 10_000;

    private readonly Channel<StoredEvent> _events = Channel.CreateBounded<StoredEvent>(new BoundedChannelOptions(Capacity) { SingleReader = true });

    public long Start { get; } = start;

    /// <summary>Completes when the feed ended this subscription (shutdown, or its reader fell too far behind).</summary>
    public ChannelReader<StoredEvent> Events => _events.Reader;

    internal bool Offer(StoredEvent stored) => _events.Writer.TryWrite(stored);

    internal void End() => _events.Writer.TryComplete();

    public void Dispose()
    {
        feed.Unsubscribe(this);
        End();
    }
}
