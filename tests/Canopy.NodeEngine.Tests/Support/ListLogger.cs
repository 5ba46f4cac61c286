using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Canopy.NodeEngine.Tests.Support;

/// <summary>Keeps every log line in memory, so a failing test can show what the runtime said.</summary>
public sealed class ListLogger : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        Lines.Enqueue($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {eventId.Id} {formatter(state, exception)}{(exception is null ? "" : " | " + exception.Message)}");
    }

    public string Tail(int count = 40) => string.Join('\n', Lines.TakeLast(count));

    public void Dispose()
    {
    }
}
