namespace FileSync.Edge.Filtering.Sources;

/// <summary>
/// The <c>.aishignore</c> of each directory: gitignore syntax, for what should not be synced
/// although git tracks it. Overrides the same directory's <c>.gitignore</c>.
/// </summary>
internal sealed class AishIgnoreFileSource()
    : DirectoryIgnoreFileSource(".aishignore", precedence: 400);
