namespace FileSync.Edge.Workspace;

/// <summary>Files the server could not apply: retried with backoff and counted by name until applied.</summary>
public sealed partial class WorkspaceSyncManager
{
    /// <summary>
    /// The server could not apply our create, modify or delete of <paramref name="relativePath"/> (for
    /// example it failed to write it). The server's copy of that file is unknown now: it is sent again,
    /// a few times per connection, then counted as a sync error until the next connection.
    /// </summary>
    public void OnServerRejected(string relativePath, string code, string message)
    {
        _rejections.Enqueue((relativePath, code, message));
        Wake();
    }

    /// <summary>A relative path as this agent writes them: no empty, '.' or '..' segment, no leading or trailing '/'.</summary>
    private static bool IsWellFormedRelativePath(string path) =>
        path.Length > 0
        && !path.Split('/')
            .Any(segment =>
                segment is "" or "." or ".." || segment.Contains('\\') || segment.Contains('\0')
            );

    /// <summary>
    /// On the loop: forget what the server has of each rejected file and send it again after a backoff
    /// (a transient failure) or when it changes (a name the server cannot store); forget the failures
    /// whose last send the server accepted.
    /// </summary>
    private void ApplyRejections()
    {
        while (_rejections.TryDequeue(out var rejection))
        {
            var (path, code, message) = rejection;
            if (!IsWellFormedRelativePath(path))
            {
                continue;
            }
            if (!_rejected.Contains(path) && _rejected.Count >= _options.MaxFiles * 2 + 100)
            {
                // More failing files than this workspace could ever send: a confused or hostile server;
                // tracking them all would only grow memory.
                continue;
            }
            var retryIn = _rejected.OnRejected(path, code, message, out var attempts);
            if (attempts == 1)
            {
                Log.ServerRejectedFile(
                    _logger,
                    RootPath,
                    path,
                    code,
                    message,
                    retryIn is null ? "not retried until it changes" : "retrying with backoff"
                );
            }
            else
            {
                Log.ServerRejectedFileAgain(
                    _logger,
                    RootPath,
                    path,
                    code,
                    attempts,
                    retryIn?.TotalSeconds ?? 0
                );
            }
            _lastError = $"{path}: the server could not apply it ({code}): {message}";
            // Unknown content on the server: a file still here is sent again, one gone is deleted again.
            _serverState[path] = "";
            if (retryIn is { } delay)
            {
                _ = RetryLaterAsync(path, delay);
            }
        }
        foreach (var path in _rejected.TakeConfirmed())
        {
            Log.ServerAppliedFile(_logger, RootPath, path);
        }
    }

    /// <summary>Wakes the loop when a file sent again after a rejection has gone unanswered long enough to count as applied.</summary>
    private void ArmConfirmationTimer()
    {
        if (_rejected.NextConfirmationIn() is not { } due)
        {
            return;
        }
        _confirmTimer ??= _time.CreateTimer(
            _ => Wake(),
            null,
            Timeout.InfiniteTimeSpan,
            Timeout.InfiniteTimeSpan
        );
        _confirmTimer.Change(due + TimeSpan.FromMilliseconds(10), Timeout.InfiniteTimeSpan);
    }

    private ITimer? _confirmTimer;

    private async Task RetryLaterAsync(string path, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _time, _stopping.Token).ConfigureAwait(false);
            MarkDirty(path);
        }
        catch (OperationCanceledException)
        {
            // Stopped meanwhile.
        }
    }
}
