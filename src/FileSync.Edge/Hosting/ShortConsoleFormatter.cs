using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;

namespace FileSync.Edge.Hosting;

/// <summary>
/// Console lines for a person at a terminal: <c>13:22:57 Syncing workspace /x</c> — the local time, the
/// level word only when it is not information, the message; no category and no event id (those are for
/// the journal and `filesync-edge logs`). An exception follows on the next lines.
/// </summary>
public sealed class ShortConsoleFormatter(TimeProvider time) : ConsoleFormatter(FormatterName)
{
    public const string FormatterName = "filesync-short";

    public override void Write<TState>(
        in LogEntry<TState> logEntry,
        IExternalScopeProvider? scopeProvider,
        TextWriter textWriter
    )
    {
        var message = logEntry.Formatter(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }
        textWriter.Write(time.GetLocalNow().ToString("HH:mm:ss ", CultureInfo.InvariantCulture));
        if (LevelWord(logEntry.LogLevel) is { } level)
        {
            textWriter.Write(level);
            textWriter.Write(": ");
        }
        textWriter.Write(message);
        textWriter.Write(Environment.NewLine);
        if (logEntry.Exception is { } exception)
        {
            textWriter.Write(exception.ToString());
            textWriter.Write(Environment.NewLine);
        }
    }

    private static string? LevelWord(LogLevel level) =>
        level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Warning => "warning",
            LogLevel.Error => "error",
            LogLevel.Critical => "critical",
            _ => null,
        };
}
