namespace Canopy.Mqtt;

/// <summary>CONNACK return codes of MQTT 3.1.1.</summary>
public enum MqttConnectResult
{
    Accepted = 0,
    UnacceptableProtocolVersion = 1,
    IdentifierRejected = 2,
    ServerUnavailable = 3,
    BadUsernameOrPassword = 4,
    NotAuthorized = 5,
}
