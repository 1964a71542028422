using FileSync.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>What applying a manifest did and which files the server needs.</summary>
/// <param name="Result">Failure when the workspace itself was refused.</param>
/// <param name="Need">Relative paths that are missing or differ, sorted ordinally.</param>
/// <param name="Deleted">Mirror files deleted because the manifest lacked them.</param>
/// <param name="Skipped">Manifest entries ignored because their path is not acceptable.</param>
/// <param name="Refused">Those entries, each with the rule that refused it (sent back in the diff).</param>
internal sealed record ManifestOutcome(
    MirrorResult Result,
    IReadOnlyList<string> Need,
    int Deleted,
    int Skipped,
    IReadOnlyList<ManifestRefusal> Refused
);
