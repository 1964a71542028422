using System.Runtime.CompilerServices;
using System.Threading.Channels;
using FileSync.Edge.Filtering;
using FileSync.Protocol;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Reads and hashes the planned files on the thread pool, at most <c>parallelism</c> at a time, and
/// yields the results in completion order to the loop. A file whose stamp proves it unchanged, and
/// whose content the server already has, is not read.
/// </summary>
internal sealed class FileHasher(
    FileContentReader reader,
    WorkspaceIgnoreFilter filter,
    HeldContent held,
    int parallelism,
    SyncTimings timings
)
{
    public async IAsyncEnumerable<FileReadResult> ReadAllAsync(
        List<WorkItem> items,
        SyncBatch batch,
        [EnumeratorCancellation] CancellationToken cancellationToken
    )
    {
        if (items.Count <= 1)
        {
            foreach (var item in items)
            {
                yield return Read(item, batch);
            }
            yield break;
        }
        var results = Channel.CreateBounded<FileReadResult>(
            new BoundedChannelOptions(parallelism * 8) { SingleReader = true, SingleWriter = false }
        );
        using var producerStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = ProduceAsync(items, batch, results.Writer, producerStop.Token);
        try
        {
            await foreach (
                var result in results.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false)
            )
            {
                yield return result;
            }
        }
        finally
        {
            await producerStop.CancelAsync().ConfigureAwait(false);
            await producer.ConfigureAwait(false);
        }
    }

    private async Task ProduceAsync(
        List<WorkItem> items,
        SyncBatch batch,
        ChannelWriter<FileReadResult> results,
        CancellationToken cancellationToken
    )
    {
        try
        {
            var parallel = new ParallelOptions
            {
                MaxDegreeOfParallelism = parallelism,
                CancellationToken = cancellationToken,
            };
            await Parallel
                .ForEachAsync(
                    items,
                    parallel,
                    async (item, token) =>
                        await results.WriteAsync(Read(item, batch), token).ConfigureAwait(false)
                )
                .ConfigureAwait(false);
            results.TryComplete();
        }
        catch (OperationCanceledException)
        {
            results.TryComplete();
        }
        catch (Exception ex)
        {
            results.TryComplete(ex);
        }
    }

    /// <summary>
    /// The read, with its content compressed here on the pool when it is to be sent compressed: the loop
    /// then only frames it, and compressing overlaps with sending the files before it.
    /// </summary>
    private FileReadResult Read(WorkItem item, SyncBatch batch)
    {
        var reading = timings.Now();
        var result = ReadFile(item, batch);
        if (batch.IndexOnly)
        {
            return result;
        }
        timings.AddReadHash(reading);
        if (
            !batch.Session.CompressContent
            || result is not { Status: FileReadStatus.Ok, Content: { } content }
        )
        {
            return result;
        }
        var compressing = timings.Now();
        var compressed = ContentCompression.TryCompress(content);
        timings.AddCompress(compressing);
        return result with { CompressedContent = compressed };
    }

    private FileReadResult ReadFile(WorkItem item, SyncBatch batch)
    {
        if (filter.IsIgnored(item.Path, isDirectory: false))
        {
            return new FileReadResult(item.Path, FileReadStatus.Ignored);
        }
        // Skip the read only when the file's stamp proves it unchanged (FileEntry.IsConclusiveMatch) and
        // the server already has that content; never for a path a change notification named.
        var skipIfMatches =
            !batch.ContentCheck
            && item.Indexed is { } indexed
            && (batch.IndexOnly || indexed.Hash == item.ServerHash)
                ? item.Indexed
                : null;
        if (
            !batch.IndexOnly
            && item.Indexed is { } entry
            && held.TryGet(item.Path, out var heldHash, out var heldContent)
        )
        {
            // Read during the manifest pass and unchanged since (same size and mtime): no second read.
            var check = reader.Read(item.Path, entry, keepContent: false, sameStampSuffices: true);
            return check.Status == FileReadStatus.Unchanged && check.Hash == heldHash
                ? check with
                {
                    Status = FileReadStatus.Ok,
                    Content = heldContent,
                }
                : Reread();
        }
        return Reread();

        // In the manifest pass, content is kept (within a budget) so files the server turns out to need are not read twice.
        FileReadResult Reread() =>
            reader.Read(item.Path, skipIfMatches, keepContent: !batch.IndexOnly || held.HasRoom);
    }
}
