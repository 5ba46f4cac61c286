namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>Records received messages and lets tests await one matching a condition.</summary>
internal sealed class MessageCollector
{
    private readonly Lock _lock = new();
    private readonly List<MqttMessage> _messages = [];
    private readonly List<(Func<MqttMessage, bool> Predicate, TaskCompletionSource<MqttMessage> Signal)> _waiters = [];

    public IReadOnlyList<MqttMessage> Messages
    {
        get
        {
            lock (_lock)
            {
                return [.. _messages];
            }
        }
    }

    public static MessageCollector AttachTo(MqttClient client)
    {
        var collector = new MessageCollector();
        client.MessageReceived += collector.HandleAsync;
        return collector;
    }

    public Task HandleAsync(MqttMessage message)
    {
        List<TaskCompletionSource<MqttMessage>>? matched = null;
        lock (_lock)
        {
            _messages.Add(message);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(message))
                {
                    (matched ??= []).Add(_waiters[i].Signal);
                    _waiters.RemoveAt(i);
                }
            }
        }

        matched?.ForEach(s => s.TrySetResult(message));
        return Task.CompletedTask;
    }

    public Task<MqttMessage> WaitForAsync(Func<MqttMessage, bool> predicate, string what, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource<MqttMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            var existing = _messages.FirstOrDefault(predicate);
            if (existing is not null)
            {
                return Task.FromResult(existing);
            }

            _waiters.Add((predicate, signal));
        }

        return signal.Task.Within(what, timeout);
    }

    public Task<MqttMessage> WaitForTopicAsync(string topic, TimeSpan? timeout = null) =>
        WaitForAsync(m => m.Topic == topic, $"a message on '{topic}'", timeout);
}
