using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Canopy.Mqtt.Tests.Infrastructure;

/// <summary>Routes client logs into the xunit test output (ignored once the test has finished).</summary>
internal sealed class TestOutputLogger<T>(ITestOutputHelper output, string name) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        try
        {
            output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{logLevel}] {name}: {formatter(state, exception)}{(exception is null ? "" : " | " + exception.GetType().Name + ": " + exception.Message)}");
        }
        catch (InvalidOperationException)
        {
            // Test already finished.
        }
    }
}
