using Microsoft.Extensions.Logging;

namespace FileSync.Testing;

/// <summary>One log record captured by a <see cref="LogSink"/>.</summary>
public sealed record LogEntry(
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
