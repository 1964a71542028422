using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Local;

/// <summary>
/// The agent's most recent log lines, for <c>filesync-edge logs</c>: a bounded ring (oldest dropped
/// first), each line capped in length. Thread-safe; followers wait for new lines without polling.
/// </summary>
public sealed class LogRing(int capacity = LogRing.DefaultCapacity)
{
    public const int DefaultCapacity = 1000;

    /// <summary>Longest message kept, in characters; the rest is cut with an ellipsis.</summary>
    public const int MaxMessageLength = 2000;

    private readonly Lock _gate = new();
    private readonly LogLineView[] _lines = new LogLineView[capacity];
    private long _next = 1;
    private TaskCompletionSource _added = NewSignal();

    public int Capacity => _lines.Length;

    /// <summary>The sequence number of the newest line (0: none yet).</summary>
    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _next - 1;
            }
        }
    }

    public void Add(
        DateTimeOffset time,
        LogLevel level,
        string category,
        EventId eventId,
        string message
    )
    {
        if (message.Length > MaxMessageLength)
        {
            message = string.Concat(message.AsSpan(0, MaxMessageLength), "…");
        }
        TaskCompletionSource added;
        lock (_gate)
        {
            var seq = _next++;
            _lines[seq % _lines.Length] = new LogLineView
            {
                Seq = seq,
                Time = time,
                Level = LevelName(level),
                Category = category,
                Message = message,
                EventName = eventId.Name,
            };
            added = _added;
            _added = NewSignal();
        }
        added.TrySetResult();
    }

    /// <summary>The lines after <paramref name="after"/> that the ring still holds, oldest first.</summary>
    public IReadOnlyList<LogLineView> Since(long after)
    {
        lock (_gate)
        {
            var first = Math.Max(after + 1, Math.Max(1, _next - _lines.Length));
            var lines = new List<LogLineView>((int)Math.Max(0, _next - first));
            for (var seq = first; seq < _next; seq++)
            {
                lines.Add(_lines[seq % _lines.Length]);
            }
            return lines;
        }
    }

    /// <summary>The newest line that matches <paramref name="predicate"/>, or null.</summary>
    public LogLineView? Last(Func<LogLineView, bool> predicate)
    {
        lock (_gate)
        {
            for (var seq = _next - 1; seq >= 1 && seq >= _next - _lines.Length; seq--)
            {
                if (predicate(_lines[seq % _lines.Length]))
                {
                    return _lines[seq % _lines.Length];
                }
            }
            return null;
        }
    }

    /// <summary>Completes when a line after <paramref name="after"/> exists.</summary>
    public Task WaitForLineAfterAsync(long after, CancellationToken cancellationToken = default)
    {
        Task added;
        lock (_gate)
        {
            if (_next - 1 > after)
            {
                return Task.CompletedTask;
            }
            added = _added.Task;
        }
        return added.WaitAsync(cancellationToken);
    }

    public static string LevelName(LogLevel level) =>
        level switch
        {
            LogLevel.Trace => "trace",
            LogLevel.Debug => "debug",
            LogLevel.Information => "info",
            LogLevel.Warning => "warn",
            LogLevel.Error => "error",
            LogLevel.Critical => "crit",
            _ => "none",
        };

    private static TaskCompletionSource NewSignal() =>
        new(TaskCreationOptions.RunContinuationsAsynchronously);
}
