namespace Canopy.Mqtt.Packets;

/// <summary>One topic filter with its requested QoS inside a SUBSCRIBE packet.</summary>
internal readonly record struct MqttTopicSubscription(string Filter, MqttQos Qos);
