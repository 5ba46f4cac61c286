using Canopy.Mqtt.Packets;

namespace Canopy.Mqtt;

/// <summary>A received PUBLISH queued for the handler, with the connection its PUBACK must go to.</summary>
internal readonly record struct IncomingPublish(MqttConnection Connection, PublishPacket Packet);
