namespace Canopy.Mqtt;

/// <summary>The broker refused a subscription (SUBACK return code 0x80), e.g. because of its ACL.</summary>
public sealed class MqttSubscribeException(string topicFilter)
    : Exception($"The MQTT broker refused the subscription to '{topicFilter}'.")
{
    public string TopicFilter { get; } = topicFilter;
}
