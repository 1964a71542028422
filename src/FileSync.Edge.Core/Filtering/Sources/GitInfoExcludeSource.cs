namespace FileSync.Edge.Filtering.Sources;

/// <summary>
/// <c>&lt;root&gt;/.git/info/exclude</c>, the repository's own untracked excludes, based at the
/// root above the built-in excludes and below the root's <c>.gitignore</c> (git's order). Read only
/// when <c>.git</c> is a directory; a symbolic link to the file is followed, as git does.
/// </summary>
/// <remarks>
/// <c>.git</c> is excluded from sync and from watching, except the two directories on the way to
/// this file (<see cref="WatchedIgnoredDirectories"/>), so an edit is seen at once rather than at
/// the next periodic rescan.
/// </remarks>
internal sealed class GitInfoExcludeSource : IIgnoreSource
{
    /// <summary>The file, relative to the root.</summary>
    public const string RelativePath = ".git/info/exclude";

    private const string GitDirectory = ".git";
    private const string InfoDirectory = ".git/info";

    /// <summary>Above the built-in excludes, below every <c>.gitignore</c>.</summary>
    public int Precedence => 200;

    public IReadOnlyList<string> WatchedIgnoredDirectories { get; } = [GitDirectory, InfoDirectory];

    public IgnorePattern[] ReadPatterns(IgnoreDirectory directory)
    {
        if (!directory.IsRoot)
        {
            return [];
        }
        var gitDirectory = Path.Join(directory.FullPath, GitDirectory);
        return Directory.Exists(gitDirectory)
            ? IgnoreFile.Read(Path.Join(gitDirectory, "info", "exclude"), followSymlinks: true)
            : [];
    }

    /// <summary>
    /// The file itself. (When <c>.git</c> or <c>.git/info</c> appears, vanishes or moves, the file
    /// comes or goes without an event of its own: the filter compares the root's rules then.)
    /// </summary>
    public bool ChangesRules(string relativePath) => relativePath == RelativePath;
}
