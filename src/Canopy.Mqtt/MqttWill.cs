namespace Canopy.Mqtt;

/// <summary>
/// Last-will message: published by the broker when the client's connection ends without a DISCONNECT packet.
/// </summary>
public sealed record MqttWill(string Topic, byte[] Payload, MqttQos Qos = MqttQos.AtLeastOnce, bool Retain = false);
