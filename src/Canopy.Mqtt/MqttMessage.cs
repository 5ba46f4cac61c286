using System.Text;

namespace Canopy.Mqtt;

/// <summary>An application message received from the broker.</summary>
/// <remarks>
/// <see cref="Payload"/> is a slice of the buffer the packet was read into; it is owned by this message
/// and stays valid after the handler returns.
/// </remarks>
public sealed record MqttMessage(string Topic, ReadOnlyMemory<byte> Payload, MqttQos Qos, bool Retain)
{
    /// <summary>The payload decoded as UTF-8.</summary>
    public string PayloadText => Encoding.UTF8.GetString(Payload.Span);
}
