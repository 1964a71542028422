using System.Collections.Concurrent;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Files the server could not apply, and what to do about each. Each rejection makes the server's copy
/// unknown; a transient failure (the server's disk is full, a file is locked) is sent again with backoff
/// — 1, 2, 4 … 60 s, forever — and a name the server cannot store is not sent again until the file
/// changes. Both count as errors, with the file's name, until a later send of that file goes unanswered
/// for <see cref="ConfirmWindow"/> (the server answers a failure at once, and success with silence).
/// Rejections arrive on the uplink's thread (<see cref="Enqueue"/>); everything else runs on the loop.
/// </summary>
internal sealed partial class RejectionRetrier(
    string rootPath,
    int maxFiles,
    ServerHoldings server,
    IWorkspaceSignals signals,
    TimeProvider time,
    ILogger logger
) : IDisposable
{
    /// <summary>How long a send must go unrejected before the file counts as applied again.</summary>
    public static readonly TimeSpan ConfirmWindow = TimeSpan.FromSeconds(3);

    /// <summary>Longest wait between two retries of one file.</summary>
    public static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(60);

    /// <summary>Codes that retrying the same bytes under the same name cannot fix.</summary>
    private static readonly HashSet<string> s_permanentCodes =
    [
        ErrorCodes.UnsupportedName,
        ErrorCodes.InvalidPayload,
        ErrorCodes.MalformedMessage,
        ErrorCodes.TooLarge,
        ErrorCodes.ForbiddenPath,
    ];

    private readonly ConcurrentQueue<(string Path, string Code, string Message)> _incoming = new();
    private readonly Dictionary<string, Entry> _entries = new(PathComparer.WireNames);
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _confirmTimer;

    /// <summary>Paths currently failing, with why (for status and <c>file_done</c> stats). On the loop.</summary>
    public IEnumerable<KeyValuePair<string, string>> Failures =>
        _entries.Select(e => KeyValuePair.Create(e.Key, e.Value.Reason));

    /// <summary>How many files are failing. On the loop.</summary>
    public int Count => _entries.Count;

    /// <summary>Some rejection or confirmation waits for the loop.</summary>
    public bool HasWork => !_incoming.IsEmpty || HasDueConfirmations;

    /// <summary>Thread-safe: the server could not apply our last send of <paramref name="path"/>.</summary>
    public void Enqueue(string path, string code, string message) =>
        _incoming.Enqueue((path, code, message));

    /// <summary>
    /// On the loop: forgets what the server has of each rejected file and schedules its retry; forgets
    /// the failures whose last send the server accepted.
    /// </summary>
    public void Apply()
    {
        while (_incoming.TryDequeue(out var rejection))
        {
            var (path, code, message) = rejection;
            if (!IsWellFormedRelativePath(path))
            {
                continue;
            }
            if (!_entries.ContainsKey(path) && _entries.Count >= maxFiles * 2 + 100)
            {
                // More failing files than this workspace could ever send: a confused or hostile server;
                // tracking them all would only grow memory.
                continue;
            }
            var retryIn = OnRejected(path, code, message, out var attempts);
            if (attempts == 1)
            {
                Log.ServerRejectedFile(
                    logger,
                    rootPath,
                    path,
                    code,
                    message,
                    retryIn is null ? "not retried until it changes" : "retrying with backoff"
                );
            }
            else
            {
                Log.ServerRejectedFileAgain(
                    logger,
                    rootPath,
                    path,
                    code,
                    attempts,
                    retryIn?.TotalSeconds ?? 0
                );
            }
            signals.ReportProblem($"{path}: the server could not apply it ({code}): {message}");
            // Unknown content on the server: a file still here is sent again, one gone is deleted again.
            server.MarkUnknown(path);
            if (retryIn is { } delay)
            {
                _ = RetryLaterAsync(path, delay);
            }
        }
        foreach (var path in TakeConfirmed())
        {
            Log.ServerAppliedFile(logger, rootPath, path);
        }
    }

    /// <summary>Wakes the loop when a file sent again has gone unanswered long enough to count as applied.</summary>
    public void ArmConfirmationTimer()
    {
        if (NextConfirmationIn() is not { } due)
        {
            return;
        }
        _confirmTimer ??= time.CreateTimer(
            _ => signals.Wake(),
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan
        );
        _confirmTimer.Change(due + TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
    }

    /// <summary>A frame for <paramref name="path"/> went out: if it was failing, it is confirmed after <see cref="ConfirmWindow"/> of silence.</summary>
    public void OnSent(string path)
    {
        if (_entries.TryGetValue(path, out var entry))
        {
            entry.SentTimestamp = time.GetTimestamp();
        }
    }

    /// <summary>The file is no longer synced at all (ignored, skipped, gone from the server): nothing left to fail.</summary>
    public bool Forget(string path) => _entries.Remove(path);

    /// <summary>Stops the pending retries and the confirmation timer.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _confirmTimer?.Dispose();
        _stopping.Dispose();
    }

    /// <summary>
    /// Records a rejection; returns the delay after which to send the file again, or null when the
    /// failure is permanent (the file is sent again when it changes, or on the next connection).
    /// </summary>
    private TimeSpan? OnRejected(string path, string code, string message, out int attempts)
    {
        var entry = _entries.GetValueOrDefault(path) ?? new Entry();
        entry.Attempts++;
        entry.Reason =
            $"the server could not apply it ({(code.Length > 0 ? code : "error")}): {message}";
        entry.SentTimestamp = null;
        _entries[path] = entry;
        attempts = entry.Attempts;
        if (s_permanentCodes.Contains(code))
        {
            return null;
        }
        var seconds = Math.Min(
            MaxRetryDelay.TotalSeconds,
            Math.Pow(2, Math.Min(entry.Attempts - 1, 10))
        );
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>Whether some failing file was sent again long enough ago to count as applied.</summary>
    private bool HasDueConfirmations => _entries.Values.Any(IsConfirmed);

    /// <summary>How long until the earliest failing file that was sent again counts as applied; null when none waits.</summary>
    private TimeSpan? NextConfirmationIn()
    {
        TimeSpan? next = null;
        foreach (var entry in _entries.Values)
        {
            if (entry.SentTimestamp is { } sent)
            {
                var remaining = ConfirmWindow - time.GetElapsedTime(sent);
                remaining = remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining;
                next = next is null || remaining < next ? remaining : next;
            }
        }
        return next;
    }

    /// <summary>Forgets every failing file whose last send went unanswered for the window; returns them.</summary>
    private List<string> TakeConfirmed()
    {
        var confirmed = _entries.Where(e => IsConfirmed(e.Value)).Select(e => e.Key).ToList();
        foreach (var path in confirmed)
        {
            _entries.Remove(path);
        }
        return confirmed;
    }

    private bool IsConfirmed(Entry entry) =>
        entry.SentTimestamp is { } sent && time.GetElapsedTime(sent) >= ConfirmWindow;

    /// <summary>A relative path as this agent writes them: no empty, '.' or '..' segment, no leading or trailing '/'.</summary>
    private static bool IsWellFormedRelativePath(string path) =>
        path.Length > 0
        && !path.Split('/')
            .Any(segment =>
                segment is "" or "." or ".." || segment.Contains('\\') || segment.Contains('\0')
            );

    private async Task RetryLaterAsync(string path, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, time, _stopping.Token).ConfigureAwait(false);
            signals.MarkDirty(path, completed: false); // its backoff has passed
        }
        catch (OperationCanceledException)
        {
            // Stopped meanwhile.
        }
    }

    private sealed class Entry
    {
        public int Attempts { get; set; }
        public string Reason { get; set; } = "";
        public long? SentTimestamp { get; set; }
    }
}
