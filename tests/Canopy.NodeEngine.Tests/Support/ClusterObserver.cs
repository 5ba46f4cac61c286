using System.Collections.Concurrent;
using Canopy.Contracts;
using Canopy.Mqtt;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>Plays the cluster on MQTT: records everything under <c>nodes/#</c> and sends control messages.</summary>
public sealed class ClusterObserver : IAsyncDisposable
{
    private readonly MqttClient _client;

    private ClusterObserver(MqttClient client) => _client = client;

    public ConcurrentQueue<MqttMessage> Messages { get; } = new();

    public static async Task<ClusterObserver> ConnectAsync(int port)
    {
        var client = new MqttClient(new MqttClientOptions { Port = port, ClientId = "cluster-" + Guid.NewGuid().ToString("N")[..6] });
        var observer = new ClusterObserver(client);
        client.MessageReceived += m =>
        {
            observer.Messages.Enqueue(m);
            return Task.CompletedTask;
        };
        await client.ConnectAsync(CancellationToken.None);
        await client.SubscribeAsync("nodes/#", MqttQos.AtLeastOnce, CancellationToken.None);
        return observer;
    }

    public IEnumerable<T> On<T>(string topic) =>
        Messages.Where(m => m.Topic == topic).Select(m => CanopyJson.Deserialize<T>(m.Payload.Span)!);

    public Task<T> WaitForAsync<T>(string topic, Func<T, bool> condition, string what, TimeSpan? timeout = null) =>
        Eventually.Until(() => On<T>(topic).FirstOrDefault(condition), m => m is not null, $"{what} on {topic}", timeout);

    public Task SendAsync<T>(string topic, T payload) =>
        _client.PublishAsync(topic, CanopyJson.SerializeToUtf8(payload), MqttQos.AtLeastOnce, false, CancellationToken.None);

    /// <summary>As the cluster publishes a node's net table: retained, so that the broker hands it over at every (re)connect.</summary>
    public Task PublishRetainedAsync<T>(string topic, T payload) =>
        _client.PublishAsync(topic, CanopyJson.SerializeToUtf8(payload), MqttQos.AtLeastOnce, true, CancellationToken.None);

    /// <summary>An empty retained message: the broker drops the retained one, and subscribers get the empty payload.</summary>
    public Task ClearRetainedAsync(string topic) => _client.PublishAsync(topic, ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, true, CancellationToken.None);

    public async ValueTask DisposeAsync() => await _client.DisposeAsync();
}
