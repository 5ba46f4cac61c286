using System.Net.Security;

namespace Canopy.Mqtt;

/// <summary>TLS to the broker (MQTT over TLS, usually port 8883): the client authenticates the broker, the broker the client by its password.</summary>
public sealed class MqttTlsOptions
{
    /// <summary>The name sent as SNI and given to the callback; the connection's host when null.</summary>
    public string? TargetHost { get; set; }

    /// <summary>
    /// Decides whether the broker's certificate is acceptable. Required: the client has no trust policy of its own, so the caller
    /// states one (a pinned CA, the system store's verdict in <see cref="SslPolicyErrors"/>, ...).
    /// </summary>
    public RemoteCertificateValidationCallback? RemoteCertificateValidationCallback { get; set; }
}
