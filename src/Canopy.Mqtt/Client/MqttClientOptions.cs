using System.Net.Security;

namespace Canopy.Mqtt;

/// <summary>Connection settings of a <see cref="MqttClient"/>. Read when connecting; do not change them afterwards.</summary>
public sealed class MqttClientOptions
{
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    /// <summary>Client identifier; empty lets the broker assign one (requires <see cref="CleanSession"/>).</summary>
    public string ClientId { get; set; } = "";

    public string? Username { get; set; }

    /// <summary>Password (sent as UTF-8). MQTT 3.1.1 requires a <see cref="Username"/> when a password is set.</summary>
    public string? Password { get; set; }

    public bool CleanSession { get; set; } = true;

    /// <summary>
    /// PINGREQ after this much idle time; the connection is dropped after 1.5× without any packet from the broker
    /// (with the PINGREQ unanswered for at least 0.5×). Sent to the broker rounded up to whole seconds. Zero disables.
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(5);

    public MqttWill? Will { get; set; }

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Limit for TCP connect + CONNECT/CONNACK (and for restoring subscriptions after a reconnect).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Largest packet accepted from the broker (remaining length); bigger packets drop the connection. Default 16 MiB.</summary>
    public int MaxIncomingPacketSize { get; set; } = 16 * 1024 * 1024;

    /// <summary>Null: plain TCP. Otherwise TLS over the connection, the broker's certificate checked as these options say.</summary>
    public MqttTlsOptions? Tls { get; set; }

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException("Host is required.", nameof(Host));
        }

        if (Port is < 1 or > 65_535)
        {
            throw new ArgumentOutOfRangeException(nameof(Port), Port, "Port must be 1..65535.");
        }

        ArgumentNullException.ThrowIfNull(ClientId, nameof(ClientId));
        if (Password is not null && Username is null)
        {
            throw new ArgumentException("MQTT 3.1.1 does not allow a password without a user name.", nameof(Password));
        }

        if (KeepAlive < TimeSpan.Zero || KeepAlive > TimeSpan.FromSeconds(ushort.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(KeepAlive), KeepAlive, "KeepAlive must be 0..65535 seconds.");
        }

        if (ReconnectMinDelay <= TimeSpan.Zero || ReconnectMaxDelay < ReconnectMinDelay)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectMinDelay), "Need 0 < ReconnectMinDelay <= ReconnectMaxDelay.");
        }

        if (ConnectTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "ConnectTimeout must be positive.");
        }

        if (MaxIncomingPacketSize is < 128 or > Packets.RemainingLength.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxIncomingPacketSize), MaxIncomingPacketSize, "MaxIncomingPacketSize is out of range.");
        }

        if (Tls is { RemoteCertificateValidationCallback: null })
        {
            throw new ArgumentException(
                "Tls.RemoteCertificateValidationCallback is required: say how the broker's certificate is checked.", nameof(Tls));
        }

        if (Will is not null)
        {
            if (!MqttTopic.IsValidTopicName(Will.Topic))
            {
                throw new ArgumentException($"Invalid will topic '{Will.Topic}'.", nameof(Will));
            }

            ArgumentNullException.ThrowIfNull(Will.Payload, nameof(Will));
            if (!Enum.IsDefined(Will.Qos))
            {
                throw new ArgumentOutOfRangeException(nameof(Will), Will.Qos, "Unsupported will QoS.");
            }
        }
    }
}
