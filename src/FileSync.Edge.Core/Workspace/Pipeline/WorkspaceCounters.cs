using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// The workspace's counts and problem lists: files skipped (and why), files and folders that could not
/// be read, messages sent. Kept on the loop; <see cref="Publish"/> makes a consistent copy that status
/// readers on other threads see.
/// </summary>
internal sealed class WorkspaceCounters(TimeProvider time)
{
    private readonly Dictionary<string, FileReadStatus> _skipped = new(PathComparer.WireNames);
    private readonly Dictionary<string, string> _errors = new(PathComparer.WireNames);
    private readonly Dictionary<string, string> _withheld = new(PathComparer.WireNames);
    private CountersSnapshot _published = CountersSnapshot.Empty;
    private long _messagesSent;
    private int _batchesWithSends;
    private long _lastSyncTicks;

    public int SkippedCount => _skipped.Count;

    /// <summary>Files and folders (a key ending in '/') that could not be read.</summary>
    public int ErrorCount => _errors.Count;

    public IEnumerable<string> ErrorKeys => _errors.Keys;

    public int SkippedFor(FileReadStatus status) => _skipped.Values.Count(s => s == status);

    public List<string> SkippedPaths(FileReadStatus reason) =>
        [.. _skipped.Where(e => e.Value == reason).Select(e => e.Key)];

    /// <summary>True when the file was not counted as skipped before (log it then).</summary>
    public bool Skip(string path, FileReadStatus reason) => _skipped.TryAdd(path, reason);

    public void Unskip(string path)
    {
        _skipped.Remove(path);
        _withheld.Remove(path);
    }

    /// <summary>Files the secret guard withheld, with the rule's id.</summary>
    public int WithheldCount => _withheld.Count;

    /// <summary>True when the file was not withheld (for this rule) before (log it then).</summary>
    public bool Withhold(string path, string rule)
    {
        _skipped.Remove(path);
        if (_withheld.TryGetValue(path, out var before) && before == rule)
        {
            return false;
        }
        _withheld[path] = rule;
        return true;
    }

    /// <summary>True when the problem is new (log it then).</summary>
    public bool AddError(string key, string error) => _errors.TryAdd(key, error);

    public void ClearError(string key) => _errors.Remove(key);

    /// <summary>The file is synced (or known unchanged): neither skipped nor failing.</summary>
    public void ClearProblems(string path)
    {
        _skipped.Remove(path);
        _withheld.Remove(path);
        _errors.Remove(path);
    }

    /// <summary>Messages sent to the server since the start (any session).</summary>
    public long MessagesSent => Interlocked.Read(ref _messagesSent);

    public void OnMessageSent() => Interlocked.Increment(ref _messagesSent);

    /// <summary>How many batches sent at least one message.</summary>
    public int BatchesWithSends => Volatile.Read(ref _batchesWithSends);

    /// <summary>When a batch last sent something (null: nothing sent yet in this run).</summary>
    public DateTimeOffset? LastSyncAt =>
        Interlocked.Read(ref _lastSyncTicks) is var ticks and > 0
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    public void OnBatchSent()
    {
        Interlocked.Increment(ref _batchesWithSends);
        Interlocked.Exchange(ref _lastSyncTicks, time.GetUtcNow().UtcTicks);
    }

    /// <summary>The counts for <c>file_done</c>.</summary>
    public SyncStats Stats(WorkspaceIndex index, RejectionRetrier rejected) =>
        new()
        {
            FilesSynced = index.Count,
            FilesSkipped = _skipped.Count,
            SyncErrors = _errors.Count + rejected.Count,
            BytesSynced = index.TotalBytes,
        };

    /// <summary>The last published copy; safe on any thread.</summary>
    public CountersSnapshot Published => Volatile.Read(ref _published);

    /// <summary>Publishes the current counts (on the loop) for status readers.</summary>
    public void Publish(WorkspaceIndex index, RejectionRetrier rejected) =>
        Volatile.Write(
            ref _published,
            new CountersSnapshot(
                index.Count,
                index.TotalBytes,
                _skipped.Count,
                _errors.Count + rejected.Count,
                [
                    .. _errors
                        .Concat(rejected.Failures)
                        .Take(WorkspaceStatus.MaxListedFiles)
                        .Select(e => new FileProblem(e.Key, e.Value)),
                ],
                [
                    .. _skipped
                        .Take(WorkspaceStatus.MaxListedFiles)
                        .Select(e => new FileProblem(e.Key, SkipReasons.Of(e.Value))),
                ]
            )
            {
                Withheld = _withheld.Count,
                WithheldFiles =
                [
                    .. _withheld
                        .Take(WorkspaceStatus.MaxListedFiles)
                        .Select(e => new FileProblem(e.Key, e.Value)),
                ],
            }
        );
}
