using FileSync.Protocol;

namespace FileSync.Edge.Workspace;

/// <summary>
/// Files the server said it could not apply, and what to do about each. A transient failure (the
/// server's disk is full, a file is locked) is retried with backoff — 1, 2, 4 … 60 s, forever — and
/// a name the server cannot store is not retried until the file changes; both count as errors, with
/// the file's name, until a later send of that file goes unanswered for <see cref="ConfirmWindow"/>
/// (the server answers a failure at once, and success with silence). Owned by the workspace loop; not
/// thread-safe.
/// </summary>
internal sealed class RejectionTracker(TimeProvider time)
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

    private readonly Dictionary<string, Entry> _entries = new(PathComparer.WireNames);

    /// <summary>Paths currently failing, with why (for status and <c>file_done</c> stats).</summary>
    public IEnumerable<KeyValuePair<string, string>> Failures =>
        _entries.Select(e => KeyValuePair.Create(e.Key, e.Value.Reason));

    public int Count => _entries.Count;

    public bool Contains(string path) => _entries.ContainsKey(path);

    /// <summary>
    /// Records a rejection; returns the delay after which to send the file again, or null when the
    /// failure is permanent (the file is sent again when it changes, or on the next connection).
    /// </summary>
    public TimeSpan? OnRejected(string path, string code, string message, out int attempts)
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

    /// <summary>Whether some failing file was sent again long enough ago to count as applied.</summary>
    public bool HasDueConfirmations => _entries.Values.Any(IsConfirmed);

    /// <summary>How long until the earliest failing file that was sent again counts as applied; null when none waits.</summary>
    public TimeSpan? NextConfirmationIn()
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
    public List<string> TakeConfirmed()
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

    private sealed class Entry
    {
        public int Attempts { get; set; }
        public string Reason { get; set; } = "";
        public long? SentTimestamp { get; set; }
    }
}
