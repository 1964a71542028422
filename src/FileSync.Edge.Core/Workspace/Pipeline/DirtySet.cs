namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The paths changed since the last batch, filled by the watcher's threads and taken by the loop.
/// Too many turns it into a rescan (the set is dropped and <see cref="Take"/> reports the overflow).
/// A path not known complete stays "unsettled" until the settle time passes or it completes.
/// Thread-safe.
/// </summary>
internal sealed class DirtySet(int maxPaths)
{
    private readonly Lock _gate = new();
    private HashSet<string> _paths = new(PathComparer.WireNames);
    private readonly HashSet<string> _unsettled = new(PathComparer.WireNames);
    private bool _overflowed;
    private volatile bool _rescanRequested;

    /// <summary>Changed paths waiting for a batch.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _paths.Count;
            }
        }
    }

    /// <summary>Some path or an overflow waits for a batch.</summary>
    public bool HasChanges
    {
        get
        {
            lock (_gate)
            {
                return _paths.Count > 0 || _overflowed;
            }
        }
    }

    /// <summary>Whether some pending change may still be in the making (a file written to but not yet closed).</summary>
    public bool HasUnsettled
    {
        get
        {
            lock (_gate)
            {
                return _unsettled.Count > 0 || _overflowed || _rescanRequested;
            }
        }
    }

    /// <summary>The whole workspace is to be scanned in the next batch.</summary>
    public bool RescanRequested => _rescanRequested;

    /// <param name="relativePath">What changed.</param>
    /// <param name="completed">The change is known complete (closed after writing, renamed, deleted): no settle needed.</param>
    public void Mark(string relativePath, bool completed)
    {
        lock (_gate)
        {
            if (_paths.Count >= maxPaths)
            {
                _overflowed = true;
                _paths.Clear();
                _unsettled.Clear();
            }
            else
            {
                _paths.Add(relativePath);
                if (completed)
                {
                    _unsettled.Remove(relativePath);
                }
                else
                {
                    _unsettled.Add(relativePath);
                }
            }
        }
    }

    public void RequestRescan() => _rescanRequested = true;

    /// <summary>True once per request: the caller scans now.</summary>
    public bool TakeRescanRequest()
    {
        var requested = _rescanRequested;
        _rescanRequested = false;
        return requested;
    }

    /// <summary>
    /// Takes the changed paths for a batch. Whatever is still being written is re-checked by the
    /// reader's stability test, so nothing stays unsettled.
    /// </summary>
    public DirtyBatch Take()
    {
        lock (_gate)
        {
            var batch = new DirtyBatch(_paths, _overflowed);
            _paths = new HashSet<string>(PathComparer.WireNames);
            _overflowed = false;
            _unsettled.Clear();
            return batch;
        }
    }

    /// <summary>Drops everything pending (the workspace stopped for good).</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _paths.Clear();
            _unsettled.Clear();
        }
    }
}
