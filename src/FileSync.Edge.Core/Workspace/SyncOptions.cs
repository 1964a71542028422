using System.ComponentModel.DataAnnotations;

namespace FileSync.Edge.Workspace;

/// <summary>Limits and timing of the workspace sync engine. Bound from the "Sync" configuration section.</summary>
public sealed class SyncOptions
{
    public const string SectionName = "Sync";

    /// <summary>A workspace with more files than this (after filtering) is refused. Default 2000.</summary>
    [Range(1, 10_000_000)]
    public int MaxFiles { get; set; } = 2000;

    /// <summary>Files larger than this many bytes are skipped. Default 102400 (100 KB).</summary>
    [Range(1, 64 * 1024 * 1024)]
    public long MaxFileBytes { get; set; } = 102_400;

    /// <summary>Changes are sent in batches at most once per this many milliseconds while activity continues. Default 500.</summary>
    [Range(1, 60_000)]
    public int BatchMilliseconds { get; set; } = 500;

    /// <summary>
    /// After a quiet period (no batch for one batch interval), the first change is flushed after this
    /// settle time instead of waiting for a full batch interval. Default 10 ms.
    /// </summary>
    [Range(0, 60_000)]
    public int SettleMilliseconds { get; set; } = 10;

    /// <summary>Full rescan of every workspace this often, to catch anything the watcher missed. Default 10 minutes; 0 disables.</summary>
    [Range(0, 24 * 60)]
    public int RescanMinutes { get; set; } = 10;

    /// <summary>How many files are read and hashed in parallel. Default: the processor count.</summary>
    [Range(1, 64)]
    public int HashParallelism { get; set; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// When the dirty set holds more paths than this, it is dropped in favour of one full rescan
    /// (bounded memory under event storms).
    /// </summary>
    [Range(100, 10_000_000)]
    public int MaxDirtyPaths { get; set; } = 20_000;

    /// <summary>
    /// The secret guard: files that are credentials by name (.env, id_rsa, …) or hold one (a private key
    /// block, a cloud or API token) are never sent. Default true.
    /// </summary>
    public bool SecretGuard { get; set; } = true;

    /// <summary>
    /// Paths the secret guard lets through, as gitignore-syntax patterns relative to each workspace
    /// (<c>config/dev.env</c>, <c>*.pem</c>, <c>fixtures/**</c>). Default none.
    /// </summary>
    public List<string> SecretGuardAllow { get; set; } = [];

    /// <summary>Where the per-workspace index is saved. Default: FILESYNC_STATE_DIR or the user's state folder. Empty string: do not persist.</summary>
    public string? StateDirectory { get; set; }

    public TimeSpan BatchInterval => TimeSpan.FromMilliseconds(BatchMilliseconds);
    public TimeSpan Settle => TimeSpan.FromMilliseconds(SettleMilliseconds);
    public TimeSpan RescanInterval => TimeSpan.FromMinutes(RescanMinutes);
}
