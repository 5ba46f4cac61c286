using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Tests.Support;

/// <summary>Sends the tiers' logs to the test's output, so a failing test shows what the cluster did.</summary>
internal sealed class XunitLoggerProvider(ITestOutputHelper output, string prefix) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new XunitLogger(output, prefix, categoryName[(categoryName.LastIndexOf('.') + 1)..]);

    public void Dispose()
    {
    }

    private sealed class XunitLogger(ITestOutputHelper output, string prefix, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {prefix} {logLevel.ToString()[..4]} {category}[{eventId.Id}] {formatter(state, exception)}" +
                                 (exception is null ? "" : $" {exception.GetType().Name}: {exception.Message}"));
            }
            catch (InvalidOperationException)
            {
                // The test has finished; its output is closed.
            }
        }
    }
}
