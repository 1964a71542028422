using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Local;

/// <summary>An <see cref="ILoggerProvider"/> that writes every enabled log line into a <see cref="LogRing"/> (one line each; an exception adds its message, not its stack).</summary>
[ProviderAlias("LogRing")]
public sealed class LogRingProvider(LogRing ring, TimeProvider time) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new RingLogger(ring, time, categoryName);

    public void Dispose() { }

    private sealed class RingLogger(LogRing ring, TimeProvider time, string category) : ILogger
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
            if (!IsEnabled(logLevel))
            {
                return;
            }
            var message = formatter(state, exception);
            if (exception is not null)
            {
                message = $"{message} ({exception.GetType().Name}: {exception.Message})";
            }
            ring.Add(
                time.GetUtcNow(),
                logLevel,
                category,
                eventId,
                message.ReplaceLineEndings(" ")
            );
        }
    }
}
