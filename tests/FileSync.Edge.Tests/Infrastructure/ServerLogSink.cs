using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>One log record captured from an in-process server.</summary>
public sealed record ServerLogEntry(
    TimeSpan Elapsed,
    LogLevel Level,
    string Category,
    EventId EventId,
    string Message,
    Exception? Exception
)
{
    public override string ToString() =>
        $"[{Elapsed.TotalSeconds, 7:F3}s] {Level, -11} {Category}[{EventId.Id}:{EventId.Name}] {Message}"
        + (Exception is null ? "" : Environment.NewLine + Exception);
}

/// <summary>
/// Logger provider that keeps every record of a server and echoes it to the test's
/// <see cref="ITestOutputHelper"/> (when the test is still running).
/// </summary>
public sealed class ServerLogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<ServerLogEntry> _entries = new();
    private readonly ITestOutputHelper? _output;
    private readonly long _start = Stopwatch.GetTimestamp();

    public ServerLogSink(ITestOutputHelper? output)
    {
        _output = output;
    }

    public IReadOnlyList<ServerLogEntry> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new SinkLogger(this, categoryName);

    /// <summary>Error-level (or worse) records whose event name is not in <paramref name="allowedEventNames"/>.</summary>
    public IReadOnlyList<ServerLogEntry> UnexpectedErrors(params string[] allowedEventNames) =>
        [
            .. _entries.Where(e =>
                e.Level >= LogLevel.Error
                && !allowedEventNames.Contains(e.EventId.Name, StringComparer.Ordinal)
            ),
        ];

    public string Format()
    {
        var text = new StringBuilder();
        foreach (var entry in _entries)
        {
            text.AppendLine(entry.ToString());
        }
        return text.ToString();
    }

    public void Dispose() { }

    private void Add(ServerLogEntry entry)
    {
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

    private sealed class SinkLogger(ServerLogSink sink, string category) : ILogger
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
        )
        {
            sink.Add(
                new ServerLogEntry(
                    Stopwatch.GetElapsedTime(sink._start),
                    logLevel,
                    category,
                    eventId,
                    formatter(state, exception),
                    exception
                )
            );
        }
    }
}
