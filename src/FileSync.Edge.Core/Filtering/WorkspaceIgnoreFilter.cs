using System.Collections.Concurrent;
using System.Collections.ObjectModel;
using System.Numerics;
using System.Text;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Filtering;

/// <summary>
/// Decides which paths of one workspace are excluded from sync, with the semantics of
/// <c>git check-ignore</c> for <c>.gitignore</c> files, plus <c>.aishignore</c> files (same
/// syntax) and <see cref="BuiltInPatterns"/>.
/// </summary>
/// <remarks>
/// <para>
/// Sources, lowest precedence first (the last matching pattern wins): <see cref="BuiltInPatterns"/>;
/// <c>&lt;root&gt;/.git/info/exclude</c> if present; then, for each directory from the root down
/// to the path's parent, that directory's <c>.gitignore</c> followed by its <c>.aishignore</c>.
/// A path inside an excluded directory is excluded whatever the patterns say about it (a
/// <c>!</c> pattern cannot re-include it), and a directory named <c>.git</c> or a file named
/// <c>.git</c> is always excluded.
/// </para>
/// <para>
/// Like git, patterns match the UTF-8 bytes of a path, not its characters (<c>?</c> is one byte,
/// so <c>caf?.txt</c> does not exclude <c>café.txt</c>), ignore files are read as bytes without
/// decoding, and case-insensitive matching folds ASCII letters only.
/// </para>
/// <para>
/// Parsed ignore files and directory verdicts are cached until <see cref="Invalidate"/>.
/// Instances are safe for concurrent readers; <see cref="Invalidate"/> may run concurrently
/// with them (a racing reader may still answer from the old rules).
/// </para>
/// <para>
/// Ignore files that are missing, unreadable or symbolic links (git does not follow them) count
/// as empty. Patterns that can never match (unclosed <c>[</c>, …) are dropped. Nothing throws.
/// </para>
/// </remarks>
public sealed class WorkspaceIgnoreFilter
{
    private const string GitDirectoryName = ".git";
    private const string GitIgnoreFileName = ".gitignore";
    private const string AishIgnoreFileName = ".aishignore";

    // Paths up to this many UTF-8 bytes (at most) are encoded on the stack; longer ones in a
    // buffer kept per thread (not ArrayPool.Shared: it drops its arrays under memory pressure,
    // and a warm filter should not allocate), up to the largest size kept.
    private const int StackPathBytes = 1024;
    private const int LargestKeptPathBytes = 64 * 1024;

    [ThreadStatic]
    private static byte[]? _longPathBytes;

    /// <summary>
    /// Built-in excludes, in gitignore syntax, applied with the lowest precedence (like git's
    /// <c>core.excludesFile</c>), so a <c>!pattern</c> in a <c>.gitignore</c> or
    /// <c>.aishignore</c> re-includes them — except <c>.git</c>, which is always excluded:
    /// <list type="bullet">
    /// <item><c>.git</c> — git's own data; a directory, or the file a worktree or submodule has
    /// instead (hard exclude, cannot be re-included).</item>
    /// <item><c>.hg/</c>, <c>.svn/</c>, <c>.bzr/</c> — other version-control metadata.</item>
    /// <item><c>node_modules/</c> — npm/yarn/pnpm dependencies.</item>
    /// <item><c>__pycache__/</c>, <c>.venv/</c>, <c>.mypy_cache/</c>, <c>.pytest_cache/</c>,
    /// <c>.ruff_cache/</c>, <c>.tox/</c> — Python bytecode, virtual environment and tool caches.</item>
    /// <item><c>.idea/</c>, <c>.vs/</c> — JetBrains and Visual Studio per-user IDE state.</item>
    /// <item><c>.DS_Store</c>, <c>Thumbs.db</c>, <c>desktop.ini</c> — operating-system folder metadata.</item>
    /// <item><c>*.swp</c>, <c>*.swo</c>, <c>*.swx</c> — vim swap files.</item>
    /// <item><c>*~</c> — backup files of emacs, vim, gedit and others.</item>
    /// <item><c>.#*</c>, <c>\#*#</c> — emacs lock files and auto-save files.</item>
    /// <item><c>~$*</c> — Microsoft Office owner/lock files.</item>
    /// </list>
    /// Deliberately not included: <c>*.tmp</c> (also used for real data, and editors' transient
    /// temp files vanish before a batch is processed), build outputs such as <c>bin/</c>,
    /// <c>obj/</c>, <c>dist/</c>, <c>build/</c>, <c>target/</c> (project-specific; the project's
    /// <c>.gitignore</c> normally covers them) and <c>.vscode/</c> (often shared settings).
    /// </summary>
    public static IReadOnlyList<string> BuiltInPatterns { get; } =
        new ReadOnlyCollection<string>([
            ".git",
            ".hg/",
            ".svn/",
            ".bzr/",
            "node_modules/",
            "__pycache__/",
            ".venv/",
            ".mypy_cache/",
            ".pytest_cache/",
            ".ruff_cache/",
            ".tox/",
            ".idea/",
            ".vs/",
            ".DS_Store",
            "Thumbs.db",
            "desktop.ini",
            "*.swp",
            "*.swo",
            "*.swx",
            "*~",
            ".#*",
            "\\#*#",
            "~$*",
        ]);

    private static readonly IgnoreRuleSet _builtInRules = new(
        string.Empty,
        IgnoreRuleSet.ParsePatterns(string.Join('\n', BuiltInPatterns))
    );

    private readonly string _rootPath;
    private readonly bool _ignoreCase;
    private Cache _cache = new();

    /// <param name="rootPath">The workspace root directory.</param>
    /// <param name="ignoreCase">
    /// Whether patterns match case-insensitively; defaults to true on Windows and macOS (whose
    /// file systems usually are), false elsewhere — git's <c>core.ignorecase</c>.
    /// </param>
    public WorkspaceIgnoreFilter(string rootPath, bool? ignoreCase = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(rootPath);
        _rootPath = Path.GetFullPath(rootPath);
        _ignoreCase = ignoreCase ?? PathComparer.IgnoreCase;
    }

    /// <summary>The full path of the workspace root.</summary>
    public string RootPath => _rootPath;

    /// <summary>Whether patterns match case-insensitively.</summary>
    public bool IgnoreCase => _ignoreCase;

    /// <summary>
    /// True for the names of ignore files: <c>.gitignore</c> and <c>.aishignore</c>, compared
    /// case-insensitively (on a case-insensitive file system <c>.GitIgnore</c> is read as
    /// <c>.gitignore</c>; elsewhere a needless <see cref="Invalidate"/> is harmless).
    /// </summary>
    public static bool IsIgnoreFileName(string fileName) =>
        string.Equals(fileName, GitIgnoreFileName, StringComparison.OrdinalIgnoreCase)
        || string.Equals(fileName, AishIgnoreFileName, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// True when <paramref name="relativePath"/> is excluded, either itself or because one of its
    /// ancestor directories is.
    /// </summary>
    /// <param name="relativePath">'/'-separated path relative to the root, without a leading '/'.</param>
    /// <param name="isDirectory">Whether the path is a directory (patterns ending in '/' only match directories).</param>
    public bool IsIgnored(string relativePath, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.AsSpan().Trim('/');
        if (path.IsEmpty)
        {
            return false;
        }

        var cache = Volatile.Read(ref _cache);
        var state = GetDirectoryState(cache, ParentOf(path));
        return state.IsExcluded || IsExcludedByPatterns(state.Chain, path, isDirectory);
    }

    /// <summary>
    /// Like <see cref="IsIgnored"/>, but assumes every ancestor directory of
    /// <paramref name="relativePath"/> is already known not to be ignored (as in a recursive walk
    /// that does not descend into ignored directories), so only the entry itself is judged.
    /// </summary>
    public bool IsIgnoredEntry(string relativePath, bool isDirectory)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var path = relativePath.AsSpan().Trim('/');
        if (path.IsEmpty)
        {
            return false;
        }

        var cache = Volatile.Read(ref _cache);
        var state = GetDirectoryState(cache, ParentOf(path));
        return IsExcludedByPatterns(state.Chain, path, isDirectory);
    }

    /// <summary>
    /// Forgets all cached ignore files and verdicts. Call it when a <c>.gitignore</c>,
    /// <c>.aishignore</c> or <c>.git/info/exclude</c> is created, changed or deleted, and also
    /// when a directory is renamed, moved in or deleted (its ignore files move with it without
    /// an event of their own) and before a full rescan.
    /// </summary>
    public void Invalidate() => Volatile.Write(ref _cache, new Cache());

    private static ReadOnlySpan<char> ParentOf(ReadOnlySpan<char> path)
    {
        var slash = path.LastIndexOf('/');
        return slash < 0 ? [] : path[..slash];
    }

    private DirectoryState GetDirectoryState(Cache cache, ReadOnlySpan<char> directory)
    {
        if (cache.Lookup.TryGetValue(directory, out var state))
        {
            return state;
        }

        var key = directory.ToString();
        state = key.Length == 0 ? CreateRootState() : CreateState(cache, key);
        return cache.States.GetOrAdd(key, state);
    }

    private DirectoryState CreateRootState()
    {
        var chain = new List<IgnoreRuleSet> { _builtInRules };
        var gitDirectory = Path.Join(_rootPath, GitDirectoryName);
        if (
            Directory.Exists(gitDirectory)
            && IgnoreRuleSet.Load(
                string.Empty,
                followSymlinks: true,
                Path.Join(gitDirectory, "info", "exclude")
            )
                is { } exclude
        )
        {
            chain.Add(exclude);
        }

        if (LoadDirectoryRules(string.Empty) is { } rootRules)
        {
            chain.Add(rootRules);
        }

        return new DirectoryState([.. chain], isExcluded: false);
    }

    private DirectoryState CreateState(Cache cache, string directory)
    {
        var parent = GetDirectoryState(cache, ParentOf(directory));
        if (parent.IsExcluded)
        {
            // Like git, never read ignore files inside an excluded directory.
            return new DirectoryState(parent.Chain, isExcluded: true);
        }

        if (IsExcludedByPatterns(parent.Chain, directory, isDirectory: true))
        {
            return new DirectoryState(parent.Chain, isExcluded: true);
        }

        var own = LoadDirectoryRules(directory);
        return new DirectoryState(
            own is null ? parent.Chain : [.. parent.Chain, own],
            isExcluded: false
        );
    }

    private IgnoreRuleSet? LoadDirectoryRules(string directory)
    {
        // The folder a wire path names (an NFD name on disk is found under its NFC spelling).
        var fullDirectory = DiskNames.Find(_rootPath, directory);
        return IgnoreRuleSet.Load(
            directory,
            followSymlinks: false,
            Path.Join(fullDirectory, GitIgnoreFileName),
            Path.Join(fullDirectory, AishIgnoreFileName)
        );
    }

    private bool IsExcludedByPatterns(
        IgnoreRuleSet[] chain,
        ReadOnlySpan<char> path,
        bool isDirectory
    )
    {
        // Patterns match bytes, as in git: judge the UTF-8 form of the path. (A lone surrogate,
        // which no UTF-8 file name decodes to, becomes U+FFFD.)
        var maxLength = Encoding.UTF8.GetMaxByteCount(path.Length);
        var buffer =
            maxLength <= StackPathBytes
                ? stackalloc byte[StackPathBytes]
                : LongPathBuffer(maxLength);
        var length = Encoding.UTF8.GetBytes(path, buffer);
        return IsExcludedByPatterns(chain, buffer[..length], isDirectory);
    }

    private static Span<byte> LongPathBuffer(int length)
    {
        if (_longPathBytes is { } kept && kept.Length >= length)
        {
            return kept;
        }

        if (length > LargestKeptPathBytes)
        {
            return new byte[length];
        }

        var buffer = new byte[BitOperations.RoundUpToPowerOf2((uint)length)];
        _longPathBytes = buffer;
        return buffer;
    }

    private bool IsExcludedByPatterns(
        IgnoreRuleSet[] chain,
        ReadOnlySpan<byte> path,
        bool isDirectory
    )
    {
        var slash = path.LastIndexOf((byte)'/');
        var name = slash < 0 ? path : path[(slash + 1)..];
        if (AsciiCase.AreEqual(name, ".git"u8, _ignoreCase))
        {
            return true;
        }

        for (var i = chain.Length - 1; i >= 0; i--)
        {
            var rules = chain[i];
            var baseLength = rules.BaseDirectoryUtf8Length;
            var relative = baseLength == 0 ? path : path[(baseLength + 1)..];
            if (rules.Match(relative, name, isDirectory, _ignoreCase) is { } verdict)
            {
                return verdict;
            }
        }

        return false;
    }

    /// <summary>What is known about one directory.</summary>
    private sealed class DirectoryState(IgnoreRuleSet[] chain, bool isExcluded)
    {
        /// <summary>The rule sets that apply to the directory's entries, lowest precedence first.</summary>
        public IgnoreRuleSet[] Chain { get; } = chain;

        /// <summary>The directory itself or one of its ancestors is excluded.</summary>
        public bool IsExcluded { get; } = isExcluded;
    }

    /// <summary>One generation of cached state; <see cref="Invalidate"/> swaps in a new one.</summary>
    private sealed class Cache
    {
        public Cache()
        {
            Lookup = States.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public ConcurrentDictionary<string, DirectoryState> States { get; } =
            new(StringComparer.Ordinal);

        public ConcurrentDictionary<string, DirectoryState>.AlternateLookup<
            ReadOnlySpan<char>
        > Lookup { get; }
    }
}
