using Microsoft.Extensions.Logging;

namespace Canopy.Cluster.Tests.Support;

/// <summary>Keeps every log line of Information and above, for tests that assert what an operator would read.</summary>
internal sealed class RecordingLoggerProvider : ILoggerProvider
{
    public RecordedList<string> Lines { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(Lines);

    public void Dispose()
    {
    }

    private sealed class Recorder(RecordedList<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                lines.Add($"{logLevel} {formatter(state, exception)}");
            }
        }
    }
}
