using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Carries out a <see cref="SyncAction"/> on the loop: updates the index, the counters and what the
/// server holds, and hands the frames to the <see cref="WorkspaceSender"/>.
/// </summary>
internal sealed partial class SyncActionApplier(
    string rootPath,
    string name,
    WorkspaceIndex index,
    ServerHoldings server,
    WorkspaceCounters counters,
    RejectionRetrier rejected,
    HeldContent held,
    IndexSaver saver,
    WorkspaceSender sender,
    ISyncProgress? progress,
    FullSyncProgress fullSyncProgress,
    MemoryTrimmer memoryTrimmer,
    IWorkspaceSignals signals,
    ILogger logger
)
{
    public async Task ApplyAsync(
        SyncAction action,
        SyncBatch batch,
        CancellationToken cancellationToken
    )
    {
        var path = action.Path;
        var result = action.Result;
        if (logger.IsEnabled(LogLevel.Trace))
        {
            Log.FileDecision(
                logger,
                path,
                result.Status.ToString(),
                index.Contains(path),
                server.MayHold(path),
                batch.IndexOnly,
                batch.ResendAll
            );
        }
        switch (action.Kind)
        {
            case SyncActionKind.Unchanged:
                counters.ClearProblems(path);
                break;

            case SyncActionKind.OverLimit:
                counters.ClearProblems(path);
                signals.RequestRescan(); // it may have grown past the file limit
                break;

            case SyncActionKind.Record:
                counters.ClearProblems(path);
                Index(result);
                if (action.Hold)
                {
                    held.TryHold(path, result.Hash!, result.Content!);
                }
                OnHashed(batch, result);
                break;

            case SyncActionKind.Send:
                counters.ClearProblems(path);
                await DeleteReplacedSpellingsAsync(action, batch, cancellationToken)
                    .ConfigureAwait(false);
                Index(result);
                if (
                    !await sender
                        .SendFileAsync(
                            batch.Session,
                            path,
                            action.Created,
                            result.Content!,
                            result.Hash!,
                            cancellationToken,
                            result.CompressedContent
                        )
                        .ConfigureAwait(false)
                )
                {
                    await DropTooLargeForOneMessageAsync(action, batch, cancellationToken)
                        .ConfigureAwait(false);
                    break;
                }
                server.Record(path, result.Hash!);
                rejected.OnSent(path);
                batch.Sent++;
                OnHashed(batch, result);
                break;

            case SyncActionKind.Retry:
                Log.FileUnstable(logger, path);
                signals.MarkDirty(path, completed: false);
                break;

            case SyncActionKind.Fail:
                if (counters.AddError(path, result.Error ?? "unreadable"))
                {
                    Log.FileUnreadable(logger, rootPath, path, result.Error ?? "unreadable");
                }
                break;

            case SyncActionKind.Drop:
                await DropAsync(action, batch, cancellationToken).ConfigureAwait(false);
                break;
        }
        batch.Done++;
        if (
            !batch.IndexOnly
            && result.Status is not (FileReadStatus.Missing or FileReadStatus.TooLarge)
        )
        {
            fullSyncProgress.FileDone(result.Size);
        }
        if (batch.ReportProgress && progress is not null && (batch.Done & 63) == 0)
        {
            progress.Report(
                new SyncProgressSnapshot(
                    name,
                    Math.Max(batch.Scanned, batch.Total),
                    batch.Hashed,
                    batch.Sent,
                    Completed: false
                )
            );
        }
    }

    /// <summary>
    /// A case-only or NFC/NFD rename: the old spelling is deleted before the new one is sent, never
    /// after (a case-insensitive server disk would lose the file to a late delete).
    /// </summary>
    private async Task DeleteReplacedSpellingsAsync(
        SyncAction action,
        SyncBatch batch,
        CancellationToken cancellationToken
    )
    {
        foreach (var old in action.ReplacedSpellings)
        {
            Log.SpellingReplaced(logger, rootPath, old, action.Path);
            await sender
                .SendDeleteAsync(batch.Session, old, cancellationToken)
                .ConfigureAwait(false);
            server.Forget(old);
            rejected.OnSent(old);
            counters.ClearProblems(old);
            if (index.Remove(old))
            {
                saver.MarkChanged();
            }
        }
    }

    private void Index(FileReadResult result)
    {
        index.Set(result.RelativePath, result.ToEntry());
        saver.MarkChanged();
    }

    private void OnHashed(SyncBatch batch, FileReadResult result)
    {
        batch.Hashed++;
        memoryTrimmer.Read(result.Size);
    }

    /// <summary>Its message would not fit into one frame (a large --max-file-bytes): skipped as too large.</summary>
    private async Task DropTooLargeForOneMessageAsync(
        SyncAction action,
        SyncBatch batch,
        CancellationToken cancellationToken
    )
    {
        var path = action.Path;
        if (index.Remove(path))
        {
            saver.MarkChanged();
        }
        if (counters.Skip(path, FileReadStatus.TooLarge))
        {
            Log.FileSkipped(logger, path, "too large for one message", action.Result.Size);
        }
        if (action.ServerMayHold)
        {
            await sender
                .SendDeleteAsync(batch.Session, path, cancellationToken)
                .ConfigureAwait(false);
            server.Forget(path);
        }
    }

    private async Task DropAsync(
        SyncAction action,
        SyncBatch batch,
        CancellationToken cancellationToken
    )
    {
        var path = action.Path;
        counters.ClearError(path);
        if (action.WithheldBy is { } rule)
        {
            if (counters.Withhold(path, rule.Id))
            {
                Log.FileWithheld(
                    logger,
                    name,
                    path,
                    rule.Id,
                    rule.Description,
                    action.DeleteOnServer ? "not sent, and deleted on the server" : "not sent"
                );
            }
        }
        else if (action.SkipAs is { } reason)
        {
            if (counters.Skip(path, reason))
            {
                if (action.DeleteOnServer)
                {
                    Log.FileNoLongerSynced(
                        logger,
                        rootPath,
                        path,
                        SkipReasons.Of(reason),
                        action.Result.Size
                    );
                }
                else
                {
                    Log.FileSkipped(logger, path, SkipReasons.Of(reason), action.Result.Size);
                }
            }
        }
        else
        {
            counters.Unskip(path);
        }
        if (index.Remove(path))
        {
            saver.MarkChanged();
        }
        if (action.DeleteOnServer)
        {
            await sender
                .SendDeleteAsync(batch.Session, path, cancellationToken)
                .ConfigureAwait(false);
            server.Forget(path);
            rejected.OnSent(path);
        }
        else if (!action.ServerMayHold)
        {
            rejected.Forget(path);
        }
    }
}
