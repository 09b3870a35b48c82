using Microsoft.Extensions.Logging;

namespace Granary.Gateway.Tests.Fakes;

/// <summary>Collects the log entries (category, event id, level, message) of every logger it creates.</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    public List<(string Category, int EventId, LogLevel Level, string Message)> Entries { get; } = [];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerProvider owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner.Entries)
                owner.Entries.Add((category, eventId.Id, logLevel, formatter(state, exception)));
        }
    }
}
