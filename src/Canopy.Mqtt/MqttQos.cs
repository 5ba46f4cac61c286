namespace Canopy.Mqtt;

/// <summary>MQTT quality of service levels supported by this client (QoS 2 is not supported).</summary>
public enum MqttQos : byte
{
    /// <summary>Fire and forget.</summary>
    AtMostOnce = 0,

    /// <summary>Acknowledged delivery (PUBACK); duplicates are possible.</summary>
    AtLeastOnce = 1,
}
