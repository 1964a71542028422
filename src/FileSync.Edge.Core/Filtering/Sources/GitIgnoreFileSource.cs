namespace FileSync.Edge.Filtering.Sources;

/// <summary>The <c>.gitignore</c> of each directory, with the semantics of <c>git check-ignore</c>.</summary>
internal sealed class GitIgnoreFileSource()
    : DirectoryIgnoreFileSource(".gitignore", precedence: 300);
