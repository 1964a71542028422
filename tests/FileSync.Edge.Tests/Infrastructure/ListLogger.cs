using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>Collects formatted log records so a test can assert on what was said (and how often).</summary>
public sealed class ListLogger : ILogger
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Records { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter
    ) => Records.Enqueue((logLevel, eventId, formatter(state, exception)));

    public int Count(string eventName) => Records.Count(r => r.Id.Name == eventName);
}
