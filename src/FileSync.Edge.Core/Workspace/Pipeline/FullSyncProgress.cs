using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// How far the running full sync is, for <c>status</c>: the totals come from its scan, a file is done
/// once it is sent or known to be on the server already (the manifest's answer). Written on the loop,
/// read by status on any thread; <see cref="Snapshot"/> is null when no full sync runs.
/// </summary>
internal sealed class FullSyncProgress
{
    private readonly Lock _lock = new();
    private bool _running;
    private int _filesDone;
    private int _filesTotal;
    private long _bytesDone;
    private long _bytesTotal;

    /// <summary>A full sync starts: totals unknown until its scan is done.</summary>
    public void Begin()
    {
        lock (_lock)
        {
            _running = true;
            _filesDone = _filesTotal = 0;
            _bytesDone = _bytesTotal = 0;
        }
    }

    public void End()
    {
        lock (_lock)
        {
            _running = false;
        }
    }

    /// <summary>The scan found these files to check (a new pass: nothing done of them yet). Ignored outside a full sync.</summary>
    public void SetTotals(int files, long bytes)
    {
        lock (_lock)
        {
            if (_running)
            {
                _filesTotal = files;
                _bytesTotal = bytes;
                _filesDone = 0;
                _bytesDone = 0;
            }
        }
    }

    /// <summary>All but these are on the server already (the manifest's answer).</summary>
    public void SetRemaining(int files, long bytes)
    {
        lock (_lock)
        {
            if (_running)
            {
                _filesDone = Math.Max(0, _filesTotal - files);
                _bytesDone = Math.Max(0, _bytesTotal - bytes);
            }
        }
    }

    /// <summary>One more file is done (sent, or settled otherwise). Ignored outside a full sync.</summary>
    public void FileDone(long bytes)
    {
        lock (_lock)
        {
            if (_running)
            {
                _filesDone++;
                _bytesDone += bytes;
            }
        }
    }

    public WorkspaceSyncProgress? Snapshot()
    {
        lock (_lock)
        {
            return _running
                ? new WorkspaceSyncProgress
                {
                    // Deletes of files gone since the last sync are work too, but not of the scan's totals.
                    FilesDone = Math.Min(_filesDone, _filesTotal),
                    FilesTotal = _filesTotal,
                    BytesDone = Math.Min(_bytesDone, _bytesTotal),
                    BytesTotal = _bytesTotal,
                }
                : null;
        }
    }
}
