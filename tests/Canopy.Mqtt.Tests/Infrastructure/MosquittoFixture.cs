namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>One anonymous broker per test class; killed by PID when the class is done.</summary>
public sealed class MosquittoFixture : IAsyncLifetime
{
    private MosquittoBroker? _broker;

    internal MosquittoBroker Broker => _broker ?? throw new InvalidOperationException("Broker not started.");

    public async Task InitializeAsync() => _broker = await MosquittoBroker.StartAsync();

    public async Task DisposeAsync()
    {
        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }
}
