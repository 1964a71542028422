using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace FileSync.Testing;

/// <summary>
/// Keeps every log record so a test can assert on what was said (and how often), and echoes each to the
/// test's <see cref="ITestOutputHelper"/> while the test runs. Add it to a logging builder as a provider
/// (a server, a host), or pass it where one <see cref="ILogger"/> is wanted (category "").
/// </summary>
public sealed class LogSink : ILoggerProvider, ILogger
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();
    private readonly ITestOutputHelper? _output;
    private readonly long _start = Stopwatch.GetTimestamp();

    public LogSink(ITestOutputHelper? output = null)
    {
        _output = output;
    }

    /// <summary>Every record so far, oldest first.</summary>
    public IReadOnlyList<LogEntry> Entries => [.. _entries];

    /// <summary>How many records have the event name <paramref name="eventName"/>.</summary>
    public int Count(string eventName) => _entries.Count(e => e.EventId.Name == eventName);

    /// <summary>Error-level (or worse) records whose event name is not in <paramref name="allowedEventNames"/>.</summary>
    public IReadOnlyList<LogEntry> UnexpectedErrors(params string[] allowedEventNames) =>
        [
            .. _entries.Where(e =>
                e.Level >= LogLevel.Error
                && !allowedEventNames.Contains(e.EventId.Name, StringComparer.Ordinal)
            ),
        ];

    /// <summary>Every record, one per line, for a failure message.</summary>
    public string Format()
    {
        var text = new StringBuilder();
        foreach (var entry in _entries)
        {
            text.AppendLine(entry.ToString());
        }
        return text.ToString();
    }

    public ILogger CreateLogger(string categoryName) => new CategoryLogger(this, categoryName);

    IDisposable? ILogger.BeginScope<TState>(TState state) => null;

    bool ILogger.IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

    void ILogger.Log<TState>(
        LogLevel logLevel,
        EventId eventId,
        TState state,
        Exception? exception,
        Func<TState, Exception?, string> formatter
    ) => Add(logLevel, "", eventId, formatter(state, exception), exception);

    public void Dispose() { }

    private void Add(
        LogLevel level,
        string category,
        EventId eventId,
        string message,
        Exception? exception
    )
    {
        var entry = new LogEntry(
            Stopwatch.GetElapsedTime(_start),
            level,
            category,
            eventId,
            message,
            exception
        );
        _entries.Enqueue(entry);
        if (_output is null)
        {
            return;
        }
        try
        {
            _output.WriteLine(entry.ToString());
        }
        catch (InvalidOperationException)
        {
            // The test already finished (a late log during shutdown): keep it captured only.
        }
    }

    private sealed class CategoryLogger(LogSink sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(
            LogLevel logLevel,
            EventId eventId,
            TState state,
            Exception? exception,
            Func<TState, Exception?, string> formatter
        ) => sink.Add(logLevel, category, eventId, formatter(state, exception), exception);
    }
}
