namespace FileSync.Edge.Workspace;

/// <summary>
/// A workspace root folder, and the one place that decides what a root is: how it is written
/// (absolute, no trailing separator: <see cref="Normalize"/>), when two roots are the same folder
/// (<see cref="Equals(WorkspaceRoot?)"/> by path, <see cref="IsSameFolder"/> through symbolic links),
/// when one lies inside another (<see cref="Contains"/>), and which folders may be roots at all
/// (<c>WorkspaceRoot.Rules.cs</c> for every root, <c>WorkspaceRoot.ServerRules.cs</c> for the ones the
/// server chooses). Paths compare case-insensitively on Windows and macOS, ordinally elsewhere
/// (<see cref="PathComparer"/>). Nothing here opens a file; link resolution reads link targets only.
/// </summary>
public sealed partial class WorkspaceRoot : IEquatable<WorkspaceRoot>
{
    private WorkspaceRoot(string path) => Path = path;

    /// <summary>The root as an absolute path without a trailing separator (except for a filesystem root).</summary>
    public string Path { get; }

    /// <summary>The folder name (the server mirrors the workspace under it).</summary>
    public string Name => System.IO.Path.GetFileName(Path);

    /// <summary>Normalises a root: full path, no trailing separator (except for a filesystem root).</summary>
    /// <exception cref="ArgumentException">Not a valid path (also <see cref="NotSupportedException"/>, <see cref="PathTooLongException"/>).</exception>
    public static string Normalize(string path) =>
        System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(path));

    /// <summary>The root at <paramref name="path"/>, normalised.</summary>
    /// <exception cref="ArgumentException">Not a valid path (also <see cref="NotSupportedException"/>, <see cref="PathTooLongException"/>).</exception>
    public static WorkspaceRoot From(string path) => new(Normalize(path));

    /// <summary>The root at <paramref name="path"/>, normalised; null when it is not a valid path.</summary>
    public static WorkspaceRoot? TryFrom(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }
        try
        {
            return From(path);
        }
        catch (Exception ex)
            when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    /// <summary>
    /// The folder this root really is, every symbolic link resolved; null when the links loop. Reads the
    /// disk on every call (a root can turn into a link while the agent runs).
    /// </summary>
    public string? ResolveRealPath() => LinkResolver.Resolve(Path, out _);

    /// <summary>
    /// True when both name the same folder: the same path, or the same folder once every link is
    /// resolved (a link to a workspace names that workspace).
    /// </summary>
    public bool IsSameFolder(WorkspaceRoot other) =>
        Equals(other)
        || (
            ResolveRealPath() is { } real
            && other.ResolveRealPath() is { } otherReal
            && SamePath(real, otherReal)
        );

    /// <summary>True when <paramref name="workspace"/> runs at exactly this root (no links resolved).</summary>
    public bool IsRootOf(IWorkspace workspace) => SamePath(Path, workspace.RootPath);

    /// <summary>True when <paramref name="workspace"/> runs at this folder, as named or through links.</summary>
    public bool IsSameFolderAs(IWorkspace workspace) =>
        IsRootOf(workspace) || IsSameFolder(new WorkspaceRoot(Normalize(workspace.RootPath)));

    /// <summary>True when <paramref name="other"/> lies strictly inside this root (by path, no links resolved).</summary>
    public bool Contains(WorkspaceRoot other) =>
        other.Path.Length > Path.Length
        && other.Path.StartsWith(Path, PathComparer.Comparison)
        && (
            other.Path[Path.Length] == System.IO.Path.DirectorySeparatorChar
            || System.IO.Path.EndsInDirectorySeparator(Path)
        );

    /// <summary>True when one of the two roots lies inside the other (two workspaces may not overlap).</summary>
    public bool Overlaps(WorkspaceRoot other) => Contains(other) || other.Contains(this);

    public bool Equals(WorkspaceRoot? other) => other is not null && SamePath(Path, other.Path);

    public override bool Equals(object? obj) => obj is WorkspaceRoot other && Equals(other);

    public override int GetHashCode() => PathComparer.Default.GetHashCode(Path);

    public override string ToString() => Path;

    private static bool SamePath(string a, string b) =>
        string.Equals(
            System.IO.Path.TrimEndingDirectorySeparator(a),
            System.IO.Path.TrimEndingDirectorySeparator(b),
            PathComparer.Comparison
        );
}
