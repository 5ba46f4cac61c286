namespace Canopy.Mqtt.Packets;

/// <summary>A malformed or unexpected packet; the connection carrying it must be closed.</summary>
internal sealed class MqttProtocolException(string message) : Exception(message);
