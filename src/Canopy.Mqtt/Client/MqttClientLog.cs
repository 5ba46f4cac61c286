using Microsoft.Extensions.Logging;

namespace Canopy.Mqtt;

/// <summary>Source-generated log messages of <see cref="MqttClient"/>.</summary>
internal static partial class MqttClientLog
{
    [LoggerMessage(1, LogLevel.Information, "MQTT connected to {Host}:{Port} as '{ClientId}' (connection {ConnectionId}, session present: {SessionPresent})")]
    public static partial void Connected(ILogger logger, string host, int port, string clientId, int connectionId, bool sessionPresent);

    // Information, not Warning: the client's owner says what a lost connection means for it.
    [LoggerMessage(2, LogLevel.Information, "MQTT connection {ConnectionId} lost ({Reason}); reconnecting")]
    public static partial void ConnectionLost(ILogger logger, int connectionId, string reason);

    [LoggerMessage(3, LogLevel.Warning, "MQTT reconnect attempt {Attempt} to {Host}:{Port} failed; next attempt in {DelayMs} ms")]
    public static partial void ReconnectFailed(ILogger logger, Exception error, int attempt, string host, int port, long delayMs);

    [LoggerMessage(4, LogLevel.Warning, "MQTT broker refused the restored subscription to '{Filter}'")]
    public static partial void ResubscribeRefused(ILogger logger, string filter);

    [LoggerMessage(5, LogLevel.Error, "MQTT MessageReceived handler failed for topic '{Topic}'")]
    public static partial void MessageHandlerFailed(ILogger logger, Exception error, string topic);

    [LoggerMessage(6, LogLevel.Error, "MQTT {EventName} handler failed")]
    public static partial void EventHandlerFailed(ILogger logger, Exception error, string eventName);

    [LoggerMessage(7, LogLevel.Debug, "MQTT QoS 0 message to '{Topic}' dropped: not connected")]
    public static partial void Qos0Dropped(ILogger logger, string topic);

    [LoggerMessage(8, LogLevel.Information, "MQTT client disconnected from {Host}:{Port}")]
    public static partial void Disconnected(ILogger logger, string host, int port);

    [LoggerMessage(9, LogLevel.Error, "MQTT connection supervisor failed")]
    public static partial void SupervisorFailed(ILogger logger, Exception error);

    [LoggerMessage(10, LogLevel.Debug, "MQTT re-sent {Count} unacknowledged QoS 1 message(s) after reconnect")]
    public static partial void Resent(ILogger logger, int count);
}
