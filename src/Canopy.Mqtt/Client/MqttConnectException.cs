namespace Canopy.Mqtt;

/// <summary>The broker refused the connection (non-zero CONNACK return code).</summary>
public sealed class MqttConnectException : Exception
{
    public MqttConnectException(MqttConnectResult result)
        : this(result, $"The MQTT broker refused the connection: {result} ({(int)result}).")
    {
    }

    public MqttConnectException(MqttConnectResult result, string message)
        : base(message)
    {
        Result = result;
    }

    public MqttConnectResult Result { get; }

    /// <summary>
    /// True for <see cref="MqttConnectResult.BadUsernameOrPassword"/> and <see cref="MqttConnectResult.NotAuthorized"/>.
    /// Check this rather than a single code: mosquitto answers a wrong password with NotAuthorized (5), not 4.
    /// </summary>
    public bool IsAuthenticationFailure =>
        Result is MqttConnectResult.BadUsernameOrPassword or MqttConnectResult.NotAuthorized;
}
