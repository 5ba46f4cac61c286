using System.Diagnostics;
using Canopy.Mqtt;

namespace Canopy.Benchmarks;

/// <summary>
/// Messages per second through Mosquitto with the project's own MQTT client: a publisher and a subscriber counting, QoS 1 (a node's
/// status changes; its periodic reports are QoS 0 and cheaper), payloads the size of a job report.
/// </summary>
internal static class MqttRates
{
    private const string Topic = "nodes/bench-node/job";
    private static readonly byte[] Payload = new byte[400];

    /// <param name="inFlight">Publishes not yet acknowledged at a time: 1 as a node sends (each awaited), more for what the broker carries.</param>
    public static async Task<double> MeasureAsync(int port, MqttTlsOptions? tls, int messages, int inFlight)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var tag = Guid.NewGuid().ToString("N")[..6];
        await using var subscriber = new MqttClient(new MqttClientOptions { Port = port, ClientId = "bench-sub-" + tag, Tls = tls });
        await using var publisher = new MqttClient(new MqttClientOptions { Port = port, ClientId = "bench-pub-" + tag, Tls = tls });
        var received = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.MessageReceived += _ =>
        {
            if (Interlocked.Increment(ref received) == messages)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await subscriber.ConnectAsync(cts.Token);
        await subscriber.SubscribeAsync("nodes/+/job", MqttQos.AtLeastOnce, cts.Token);
        await publisher.ConnectAsync(cts.Token);

        using var window = new SemaphoreSlim(inFlight);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < messages; i++)
        {
            await window.WaitAsync(cts.Token);
            _ = PublishAsync(publisher, window, cts.Token);
        }

        await all.Task.WaitAsync(cts.Token);
        return messages / clock.Elapsed.TotalSeconds;
    }

    private static async Task PublishAsync(MqttClient publisher, SemaphoreSlim window, CancellationToken ct)
    {
        try
        {
            await publisher.PublishAsync(Topic, Payload, MqttQos.AtLeastOnce, retain: false, ct);
        }
        finally
        {
            window.Release();
        }
    }
}
