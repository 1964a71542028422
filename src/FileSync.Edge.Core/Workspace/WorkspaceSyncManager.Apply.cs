using System.Text.Unicode;
using System.Threading.Channels;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace;

/// <summary>Reading the planned files on the pool and deciding, per file, what to send.</summary>
public sealed partial class WorkspaceSyncManager
{
    private List<WorkItem> BuildWorkItems(IEnumerable<string> paths, BatchContext context)
    {
        var items = new List<WorkItem>();
        foreach (var path in paths)
        {
            FileEntry? indexed = _index.TryGet(path, out var entry) ? entry : null;
            var serverHash = context.ResendAll ? null : _serverState.GetValueOrDefault(path);
            items.Add(new WorkItem(path, indexed, serverHash));
        }
        context.Total = items.Count;
        return items;
    }

    /// <summary>
    /// The batch pipeline: reads and hashes on the pool (bounded parallelism), applies results to the
    /// index and sends messages on this loop, in completion order.
    /// </summary>
    private async Task SyncPathsAsync(
        List<WorkItem> items,
        BatchContext context,
        CancellationToken cancellationToken
    )
    {
        if (items.Count == 0)
        {
            return;
        }
        if (items.Count == 1)
        {
            await ApplyAsync(Read(items[0], context), context, cancellationToken)
                .ConfigureAwait(false);
            return;
        }
        var results = Channel.CreateBounded<FileReadResult>(
            new BoundedChannelOptions(_options.HashParallelism * 8)
            {
                SingleReader = true,
                SingleWriter = false,
            }
        );
        using var producerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync();
        try
        {
            await foreach (
                var result in results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)
            )
            {
                await ApplyAsync(result, context, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await producerStop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }

        async Task ProduceAsync()
        {
            try
            {
                var parallel = new ParallelOptions
                {
                    MaxDegreeOfParallelism = _options.HashParallelism,
                    CancellationToken = producerStop.Token,
                };
                await Parallel
                    .ForEachAsync(
                        items,
                        parallel,
                        async (item, token) =>
                            await results
                                .Writer.WriteAsync(Read(item, context), token)
                                .ConfigureAwait(false)
                    )
                    .ConfigureAwait(false);
                results.Writer.TryComplete();
            }
            catch (OperationCanceledException)
            {
                results.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                results.Writer.TryComplete(ex);
            }
        }
    }

    private FileReadResult Read(WorkItem item, BatchContext context)
    {
        if (_filter.IsIgnored(item.Path, isDirectory: false))
        {
            return new FileReadResult(item.Path, FileReadStatus.Ignored);
        }
        // Skip the read only when the file's stamp proves it unchanged (FileEntry.IsConclusiveMatch) and
        // the server already has that content; never for a path a change notification named.
        var skipIfMatches =
            !context.ContentCheck
            && item.Indexed is { } indexed
            && (context.IndexOnly || indexed.Hash == item.ServerHash)
                ? item.Indexed
                : null;
        if (
            !context.IndexOnly
            && _heldContent.TryGetValue(item.Path, out var held)
            && item.Indexed is { } entry
        )
        {
            // Read during the manifest pass and unchanged since (same size and mtime): no second read.
            var check = _reader.Read(item.Path, entry, keepContent: false, sameStampSuffices: true);
            return check.Status == FileReadStatus.Unchanged && check.Hash == held.Hash
                ? check with
                {
                    Status = FileReadStatus.Ok,
                    Content = held.Content,
                }
                : Reread();
        }
        return Reread();

        // In the manifest pass, content is kept (within a budget) so files the server turns out to need are not read twice.
        FileReadResult Reread() =>
            _reader.Read(
                item.Path,
                skipIfMatches,
                keepContent: !context.IndexOnly || _heldBytes < HeldContentBudget
            );
    }

    private async Task ApplyAsync(
        FileReadResult result,
        BatchContext context,
        CancellationToken cancellationToken
    )
    {
        var path = result.RelativePath;
        if (_logger.IsEnabled(LogLevel.Trace))
        {
            Log.FileDecision(
                _logger,
                path,
                result.Status.ToString(),
                _index.Contains(path),
                _serverState.ContainsKey(path),
                context.IndexOnly,
                context.ResendAll
            );
        }
        if (
            result.Status == FileReadStatus.Ok
            && !context.IndexOnly
            && context.Session.Capabilities is null
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
        switch (result.Status)
        {
            case FileReadStatus.Unchanged:
                // Same size and mtime as indexed, and the server has that content (see Read).
                _skipped.Remove(path);
                _errors.Remove(path);
                break;

            case FileReadStatus.Ok:
                _skipped.Remove(path);
                _errors.Remove(path);
                if (!_index.Contains(path) && _index.Count >= _options.MaxFiles)
                {
                    // Growing past the limit: the next rescan decides (and refuses the workspace).
                    RequestRescan();
                    break;
                }
                _index.Set(path, result.ToEntry());
                _indexChanged = true;
                if (
                    context.IndexOnly
                    && result.Content is not null
                    && _heldBytes + result.Content.Length <= HeldContentBudget
                )
                {
                    _heldContent[path] = (result.Hash!, result.Content);
                    _heldBytes += result.Content.Length;
                }
                if (!context.IndexOnly && result.Content is not null)
                {
                    var known = _serverState.TryGetValue(path, out var serverHash);
                    if (context.ResendAll || !known || serverHash != result.Hash)
                    {
                        var created = context.ResendAll || !known || serverHash == MaybeOnServer;
                        if (
                            _messages.FileSync(
                                context.Session,
                                path,
                                created,
                                result.Content,
                                result.Hash!
                            )
                            is not { } frame
                        )
                        {
                            // Its message would not fit into one frame (a large --max-file-bytes): skipped as too large.
                            _indexChanged |= _index.Remove(path);
                            if (_skipped.TryAdd(path, FileReadStatus.TooLarge))
                            {
                                Log.FileSkipped(
                                    _logger,
                                    path,
                                    "too large for one message",
                                    result.Size
                                );
                            }
                            if (known)
                            {
                                await SendOrThrowAsync(
                                        context.Session,
                                        _messages.FileDelete(context.Session, path),
                                        cancellationToken
                                    )
                                    .ConfigureAwait(false);
                                _serverState.Remove(path);
                            }
                            break;
                        }
                        await SendOrThrowAsync(
                                context.Session,
                                frame,
                                cancellationToken,
                                deflate: !context.Session.CompressContent
                            )
                            .ConfigureAwait(false);
                        _serverState[path] = result.Hash!;
                        _rejected.OnSent(path);
                        context.Sent++;
                    }
                }
                context.Hashed++;
                MemoryTrimmer.Read(result.Size);
                break;

            case FileReadStatus.Unstable:
                Log.FileUnstable(_logger, path);
                MarkDirty(path);
                break;

            case FileReadStatus.Unreadable:
                if (_errors.TryAdd(path, result.Error ?? "unreadable"))
                {
                    Log.FileUnreadable(_logger, RootPath, path, result.Error ?? "unreadable");
                }
                break;

            default:
                // Missing, ignored, not a regular file, too large or binary: not (or no longer) synced.
                _errors.Remove(path);
                if (
                    result.Status
                    is FileReadStatus.TooLarge
                        or FileReadStatus.Binary
                        or FileReadStatus.NotUtf8
                )
                {
                    if (_skipped.TryAdd(path, result.Status))
                    {
                        if (!context.IndexOnly && _serverState.ContainsKey(path))
                        {
                            Log.FileNoLongerSynced(
                                _logger,
                                RootPath,
                                path,
                                SkipReasons.Of(result.Status),
                                result.Size
                            );
                        }
                        else
                        {
                            Log.FileSkipped(
                                _logger,
                                path,
                                SkipReasons.Of(result.Status),
                                result.Size
                            );
                        }
                    }
                }
                else
                {
                    _skipped.Remove(path);
                }
                _indexChanged |= _index.Remove(path);
                if (!context.IndexOnly && _serverState.ContainsKey(path))
                {
                    await SendOrThrowAsync(
                            context.Session,
                            _messages.FileDelete(context.Session, path),
                            cancellationToken
                        )
                        .ConfigureAwait(false);
                    _serverState.Remove(path);
                    _rejected.OnSent(path);
                }
                else if (!_serverState.ContainsKey(path))
                {
                    _rejected.Forget(path);
                }
                break;
        }
        context.Done++;
        if (context.ReportProgress && _progress is not null && (context.Done & 63) == 0)
        {
            _progress.Report(
                new SyncProgressSnapshot(
                    Name,
                    Math.Max(context.Scanned, context.Total),
                    context.Hashed,
                    context.Sent,
                    Completed: false
                )
            );
        }
    }
}
