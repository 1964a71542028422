using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>A consistent copy of a workspace's counts, as <c>edge:status</c> and the local status show them.</summary>
internal sealed record CountersSnapshot(
    int Files,
    long Bytes,
    int Skipped,
    int Errors,
    IReadOnlyList<FileProblem> ErrorFiles,
    IReadOnlyList<FileProblem> SkippedFiles
)
{
    /// <summary>Files the secret guard withheld.</summary>
    public int Withheld { get; init; }

    /// <summary>The withheld files by name, with the rule that matched.</summary>
    public IReadOnlyList<FileProblem> WithheldFiles { get; init; } = [];

    public static readonly CountersSnapshot Empty = new(0, 0, 0, 0, [], []);
}
