using FileSync.Edge.Workspace;

namespace FileSync.Edge.Filtering.Sources;

/// <summary>
/// An ignore file that any directory may have (<see cref="FileName"/>, gitignore syntax), whose
/// patterns apply to the entries under that directory. Symbolic links are not followed, as git
/// does not follow them for ignore files inside the working tree.
/// </summary>
internal abstract class DirectoryIgnoreFileSource(string fileName, int precedence) : IIgnoreSource
{
    /// <summary>The file's name in each directory.</summary>
    public string FileName { get; } = fileName;

    public int Precedence { get; } = precedence;

    public IgnorePattern[] ReadPatterns(IgnoreDirectory directory) =>
        IgnoreFile.Read(Path.Join(directory.FullPath, FileName), followSymlinks: false);

    /// <summary>
    /// A file of that name anywhere, compared case-insensitively (on a case-insensitive file system
    /// <c>.GitIgnore</c> is read as <c>.gitignore</c>; elsewhere a needless rescan is harmless).
    /// </summary>
    public bool ChangesRules(string relativePath) =>
        string.Equals(
            WorkspacePaths.FileName(relativePath),
            FileName,
            StringComparison.OrdinalIgnoreCase
        );
}
