using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>Clients with test-friendly timings (fast reconnects).</summary>
internal static class TestClients
{
    public static MqttClientOptions Options(int port, string clientId, Action<MqttClientOptions>? configure = null)
    {
        var options = new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ClientId = clientId,
            KeepAlive = TimeSpan.FromSeconds(5),
            ReconnectMinDelay = TimeSpan.FromMilliseconds(50),
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
            ConnectTimeout = TimeSpan.FromSeconds(5),
        };
        configure?.Invoke(options);
        return options;
    }

    public static MqttClient Create(ITestOutputHelper output, int port, string clientId, Action<MqttClientOptions>? configure = null) =>
        new(Options(port, clientId, configure), new TestOutputLogger<MqttClient>(output, clientId));

    public static async Task<MqttClient> ConnectAsync(ITestOutputHelper output, int port, string clientId, Action<MqttClientOptions>? configure = null)
    {
        var client = Create(output, port, clientId, configure);
        try
        {
            await client.ConnectAsync(CancellationToken.None).Within($"{clientId} to connect");
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    public static string UniqueId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];
}
