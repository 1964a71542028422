using FileSync.Edge.Filtering;
using FileSync.Edge.Filtering.Sources;
using FileSync.Edge.Tests.Infrastructure;

namespace FileSync.Edge.Tests.Filtering;

/// <summary>
/// A throw-away git repository for comparing <see cref="WorkspaceIgnoreFilter"/> with
/// <c>git check-ignore</c>. Its <c>.git/info/exclude</c> holds
/// <see cref="BuiltInIgnoreSource.Patterns"/>, so git knows our built-in excludes too,
/// at the same (lowest) precedence.
/// </summary>
internal sealed class GitSandbox : IDisposable
{
    // On tmpfs where there is one: the randomized tests create thousands of files per seed.
    private readonly TempDirectory _repository = new(inMemory: true);
    private readonly TempDirectory _home = new();

    private GitSandbox() { }

    /// <summary>The repository (and workspace) root.</summary>
    public string Root => _repository.Path;

    public static async Task<GitSandbox> CreateAsync()
    {
        var sandbox = new GitSandbox();
        try
        {
            await GitCheckIgnore.InitAsync(sandbox.Root, sandbox._home.Path);
            sandbox.Write(
                ".git/info/exclude",
                string.Join('\n', BuiltInIgnoreSource.Patterns) + "\n"
            );
            return sandbox;
        }
        catch
        {
            sandbox.Dispose();
            throw;
        }
    }

    /// <summary>Writes a file (exact content, UTF-8) at a '/'-separated relative path.</summary>
    public void Write(string relativePath, string content) =>
        _repository.Write(relativePath, content);

    /// <summary>Writes a file with exactly these bytes at a '/'-separated relative path.</summary>
    public void WriteBytes(string relativePath, byte[] content)
    {
        var fullPath = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(fullPath)!);
        File.WriteAllBytes(fullPath, content);
    }

    /// <summary>Creates a directory (path ending in '/') or a small file at a relative path.</summary>
    public void Create(string relativePath)
    {
        if (relativePath.EndsWith('/'))
        {
            Directory.CreateDirectory(Path.Combine(Root, relativePath));
        }
        else if (!File.Exists(Path.Combine(Root, relativePath)))
        {
            _repository.Write(relativePath, "x");
        }
    }

    /// <summary>
    /// git's verdict for each path and each of its ancestor directories, where a path inside a
    /// directory git ignores counts as ignored (git never looks inside such a directory, so
    /// nothing there can be re-included). Keys have no trailing '/'.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, GitVerdict>> QueryAsync(
        IEnumerable<string> paths,
        bool ignoreCase
    )
    {
        var all = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var trimmed = path.TrimEnd('/');
            all.Add(trimmed);
            for (
                var slash = trimmed.IndexOf('/');
                slash > 0;
                slash = trimmed.IndexOf('/', slash + 1)
            )
            {
                all.Add(trimmed[..slash]);
            }
        }

        var list = all.ToList();
        var direct = (
            await GitCheckIgnore.QueryAsync(Root, _home.Path, list, ignoreCase)
        ).ToDictionary(v => v.Path, StringComparer.Ordinal);

        var effective = new Dictionary<string, GitVerdict>(StringComparer.Ordinal);
        foreach (var path in list)
        {
            var verdict = direct[path];
            for (
                var slash = path.IndexOf('/');
                slash > 0 && !verdict.Ignored;
                slash = path.IndexOf('/', slash + 1)
            )
            {
                var ancestor = direct[path[..slash]];
                if (ancestor.Ignored)
                {
                    verdict = new GitVerdict(
                        path,
                        true,
                        $"{ancestor.Reason} (via directory {ancestor.Path})"
                    );
                }
            }

            effective[path] = verdict;
        }

        return effective;
    }

    public void Dispose()
    {
        _repository.Dispose();
        _home.Dispose();
    }
}
