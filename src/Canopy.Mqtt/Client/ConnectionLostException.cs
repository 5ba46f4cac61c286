namespace Canopy.Mqtt;

/// <summary>
/// The connection a request was sent on went away. Internally such requests are retried on the next connection;
/// it only escapes from <see cref="MqttClient.ConnectAsync"/>, as an <see cref="IOException"/>.
/// </summary>
internal sealed class ConnectionLostException(Exception? inner)
    : IOException("The MQTT connection was lost.", inner);
