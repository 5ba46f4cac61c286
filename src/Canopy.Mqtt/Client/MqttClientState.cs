namespace Canopy.Mqtt;

internal enum MqttClientState
{
    NotStarted,
    Connecting,
    Running,
    Stopped,
}
