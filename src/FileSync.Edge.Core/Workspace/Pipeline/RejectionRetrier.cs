using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Files the server could not apply: each rejection makes the server's copy unknown and the file is sent
/// again after a backoff (a transient failure) or when it changes (a name the server cannot store); it
/// counts as an error, by name, until a later send goes unanswered (see <see cref="RejectionTracker"/>).
/// Rejections arrive on the uplink's thread and are handled on the loop.
/// </summary>
internal sealed class RejectionRetrier(
    string rootPath,
    int maxFiles,
    ServerHoldings server,
    TimeProvider time,
    ILogger logger
) : IDisposable
{
    private readonly ConcurrentQueue<(string Path, string Code, string Message)> _incoming = new();
    private readonly CancellationTokenSource _stopping = new();
    private ITimer? _confirmTimer;

    /// <summary>What failed, with why; counted as sync errors.</summary>
    public RejectionTracker Tracker { get; } = new(time);

    /// <summary>Raised (on a timer thread) with a file to send again, once its backoff has passed.</summary>
    public event Action<string>? RetryDue;

    /// <summary>Called when the loop should look again (a confirmation is due).</summary>
    public event Action? Due;

    /// <summary>The last rejection, worded for a user.</summary>
    public event Action<string>? Problem;

    /// <summary>Some rejection or confirmation waits for the loop.</summary>
    public bool HasWork => !_incoming.IsEmpty || Tracker.HasDueConfirmations;

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
            if (!Tracker.Contains(path) && Tracker.Count >= maxFiles * 2 + 100)
            {
                // More failing files than this workspace could ever send: a confused or hostile server;
                // tracking them all would only grow memory.
                continue;
            }
            var retryIn = Tracker.OnRejected(path, code, message, out var attempts);
            if (attempts == 1)
            {
                WorkspaceLog.ServerRejectedFile(
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
                WorkspaceLog.ServerRejectedFileAgain(
                    logger,
                    rootPath,
                    path,
                    code,
                    attempts,
                    retryIn?.TotalSeconds ?? 0
                );
            }
            Problem?.Invoke($"{path}: the server could not apply it ({code}): {message}");
            // Unknown content on the server: a file still here is sent again, one gone is deleted again.
            server.MarkUnknown(path);
            if (retryIn is { } delay)
            {
                _ = RetryLaterAsync(path, delay);
            }
        }
        foreach (var path in Tracker.TakeConfirmed())
        {
            WorkspaceLog.ServerAppliedFile(logger, rootPath, path);
        }
    }

    /// <summary>Wakes the loop when a file sent again has gone unanswered long enough to count as applied.</summary>
    public void ArmConfirmationTimer()
    {
        if (Tracker.NextConfirmationIn() is not { } due)
        {
            return;
        }
        _confirmTimer ??= time.CreateTimer(
            _ => Due?.Invoke(),
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan
        );
        _confirmTimer.Change(due + TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
    }

    /// <summary>Stops the pending retries and the confirmation timer.</summary>
    public void Dispose()
    {
        _stopping.Cancel();
        _confirmTimer?.Dispose();
        _stopping.Dispose();
    }

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
            RetryDue?.Invoke(path);
        }
        catch (OperationCanceledException)
        {
            // Stopped meanwhile.
        }
    }
}
