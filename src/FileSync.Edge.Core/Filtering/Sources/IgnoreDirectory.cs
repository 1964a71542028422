namespace FileSync.Edge.Filtering.Sources;

/// <summary>A directory whose ignore rules are asked for.</summary>
/// <param name="RootPath">The full path of the workspace root.</param>
/// <param name="RelativePath">The directory, '/'-separated and relative to the root; "" for the root.</param>
/// <param name="FullPath">
/// Where the directory is on disk (a wire path's NFC name is found under its NFD spelling).
/// </param>
internal readonly record struct IgnoreDirectory(
    string RootPath,
    string RelativePath,
    string FullPath
)
{
    /// <summary>True for the workspace root.</summary>
    public bool IsRoot => RelativePath.Length == 0;
}
