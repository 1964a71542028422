using System.Text.Unicode;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Decides, without I/O, what a read file means: compares the read result with the index and with what
/// the server holds and returns a <see cref="SyncAction"/>.
/// </summary>
internal sealed class SyncReconciler(WorkspaceIndex index, ServerHoldings server, int maxFiles)
{
    public SyncAction Decide(FileReadResult result, SyncBatch batch)
    {
        var path = result.RelativePath;
        if (
            result.Status == FileReadStatus.Ok
            && !batch.IndexOnly
            && batch.Session.Capabilities is null
            && result.Content is { } text
            && !Utf8.IsValid(text)
        )
        {
            // A server without capabilities stores content as text and knows no 'encoding': base64 would be
            // stored as the file's text. Skipped and counted instead, never sent mangled.
            result = result with
            {
                Status = FileReadStatus.NotUtf8,
                Content = null,
            };
        }
        var mayHold = server.TryGet(path, out var serverHash);
        switch (result.Status)
        {
            case FileReadStatus.Unchanged:
                // Same stamp as indexed, and the server has that content (see FileHasher).
                return new SyncAction(SyncActionKind.Unchanged, result);

            case FileReadStatus.Ok:
                if (!index.Contains(path) && index.Count >= maxFiles)
                {
                    return new SyncAction(SyncActionKind.OverLimit, result);
                }
                if (batch.IndexOnly || result.Content is null)
                {
                    return new SyncAction(SyncActionKind.Record, result)
                    {
                        Hold = batch.IndexOnly && result.Content is not null,
                    };
                }
                if (batch.ResendAll || !mayHold || serverHash != result.Hash)
                {
                    return new SyncAction(SyncActionKind.Send, result)
                    {
                        Created =
                            batch.ResendAll || !mayHold || serverHash == ServerHoldings.MaybeHeld,
                        ServerMayHold = mayHold,
                        // Read in this exact spelling, so another spelling of it is not on disk (a
                        // case-only or NFC/NFD rename): deleted first, so a server whose disk cannot
                        // tell them apart ends with exactly this name.
                        ReplacedSpellings = server.OtherSpellingsOf(path),
                    };
                }
                return new SyncAction(SyncActionKind.Record, result);

            case FileReadStatus.Unstable:
                return new SyncAction(SyncActionKind.Retry, result);

            case FileReadStatus.Unreadable:
                return new SyncAction(SyncActionKind.Fail, result);

            default:
                // Missing, ignored, not a regular file, too large or binary: not (or no longer) synced.
                return new SyncAction(SyncActionKind.Drop, result)
                {
                    SkipAs = result.Status
                        is FileReadStatus.TooLarge
                            or FileReadStatus.Binary
                            or FileReadStatus.NotUtf8
                        ? result.Status
                        : null,
                    ServerMayHold = mayHold,
                    DeleteOnServer = !batch.IndexOnly && mayHold,
                };
        }
    }
}
