using FileSync.Edge.Uplink;
using FileSync.Protocol;
using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Tells a server with the manifest capability what the workspace holds and waits for its answer: the
/// digest-first tree (answering the server's tree requests meanwhile) when it announces
/// <c>manifest-tree</c>, the flat manifest in chunks otherwise. The server's messages arrive on the
/// uplink's thread (<see cref="OnDiff"/>, <see cref="OnTreeRequest"/>).
/// </summary>
internal sealed partial class ManifestExchange(
    string name,
    IUplink uplink,
    WorkspaceSender sender,
    TimeProvider time,
    ILogger logger
)
{
    /// <summary>How long the server may stay silent before the agent falls back to a full re-send.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(60);

    private const int ManifestChunkEntries = 4000;

    private TaskCompletionSource<ManifestDiffPayload>? _pendingDiff;
    private ManifestTreeExchange? _tree;

    /// <summary>Delivers the server's answer to our manifest (ignored when none is awaited).</summary>
    public void OnDiff(ManifestDiffPayload diff) =>
        Volatile.Read(ref _pendingDiff)?.TrySetResult(diff);

    /// <summary>A <c>workspace:tree_request</c>: answered while a digest-first exchange runs, else ignored (false).</summary>
    public bool OnTreeRequest(TreeRequestPayload request) =>
        Volatile.Read(ref _tree)?.Enqueue(request) == true;

    /// <summary>
    /// Sends the manifest of <paramref name="entries"/> and returns the server's diff, or null when it
    /// stayed silent for <see cref="AnswerTimeout"/>. Throws <see cref="SessionLostException"/> when the
    /// session ends first.
    /// </summary>
    public async Task<ManifestDiffPayload?> ExchangeAsync(
        UplinkSession session,
        List<ManifestEntry> entries,
        CancellationToken cancellationToken
    )
    {
        var diff = new TaskCompletionSource<ManifestDiffPayload>(
            TaskCreationOptions.RunContinuationsAsynchronously
        );
        Volatile.Write(ref _pendingDiff, diff);
        try
        {
            ManifestTreeExchange? tree = null;
            if (session.Has(Capabilities.ManifestTree))
            {
                // Digest-first: the server asks into the directories whose digest differs from its own.
                tree = new ManifestTreeExchange(entries);
                Volatile.Write(ref _tree, tree);
                await sender
                    .SendManifestTreeAsync(
                        session,
                        tree.Tree.RootDigest,
                        entries.Count,
                        cancellationToken
                    )
                    .ConfigureAwait(false);
                Log.ManifestTreeSent(logger, name, entries.Count);
            }
            else
            {
                await SendFlatAsync(session, entries, cancellationToken).ConfigureAwait(false);
            }
            return await WaitForDiffAsync(session, diff, tree, cancellationToken)
                .ConfigureAwait(false);
        }
        finally
        {
            Volatile.Write(ref _pendingDiff, null);
            Volatile.Write(ref _tree, null);
        }
    }

    private async Task SendFlatAsync(
        UplinkSession session,
        List<ManifestEntry> entries,
        CancellationToken cancellationToken
    )
    {
        var chunk = 0;
        for (
            var offset = 0;
            offset < entries.Count || chunk == 0;
            offset += ManifestChunkEntries, chunk++
        )
        {
            var part = entries.GetRange(
                offset,
                Math.Min(ManifestChunkEntries, entries.Count - offset)
            );
            var last = offset + ManifestChunkEntries >= entries.Count;
            await sender
                .SendManifestAsync(session, part, chunk, last, cancellationToken)
                .ConfigureAwait(false);
        }
        Log.ManifestSent(logger, name, entries.Count, chunk);
    }

    private async Task<ManifestDiffPayload?> WaitForDiffAsync(
        UplinkSession session,
        TaskCompletionSource<ManifestDiffPayload> diff,
        ManifestTreeExchange? tree,
        CancellationToken cancellationToken
    )
    {
        while (true)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var lost = WaitForSessionEndAsync(session, timeout.Token);
            var request = tree is null
                ? Task.Delay(Timeout.InfiniteTimeSpan, time, timeout.Token)
                : tree.Requests.WaitToReadAsync(timeout.Token).AsTask();
            var completed = await Task.WhenAny(
                    diff.Task,
                    lost,
                    request,
                    Task.Delay(AnswerTimeout, time, timeout.Token)
                )
                .ConfigureAwait(false);
            await timeout.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (completed == diff.Task)
            {
                return await diff.Task.ConfigureAwait(false);
            }
            if (completed == lost && uplink.Session != session)
            {
                throw new SessionLostException();
            }
            if (completed == request && tree is not null)
            {
                while (tree.Requests.TryRead(out var next))
                {
                    await AnswerTreeRequestAsync(session, tree, next, cancellationToken)
                        .ConfigureAwait(false);
                }
                continue;
            }
            if (completed == lost)
            {
                continue;
            }
            return null;
        }
    }

    private async Task AnswerTreeRequestAsync(
        UplinkSession session,
        ManifestTreeExchange tree,
        TreeRequestPayload request,
        CancellationToken cancellationToken
    )
    {
        // One frame built ahead of the one sent (to know which is the last), never the whole answer.
        var frames = 0;
        using var parts = tree.Answer(request).GetEnumerator();
        var more = parts.MoveNext();
        while (more)
        {
            var (dirs, subtrees) = parts.Current;
            more = parts.MoveNext();
            await sender
                .SendTreeListingAsync(session, dirs, subtrees, !more, cancellationToken)
                .ConfigureAwait(false);
            frames++;
        }
        Log.TreeListingSent(
            logger,
            name,
            request.Dirs?.Count ?? 0,
            request.Subtrees?.Count ?? 0,
            frames
        );
    }

    private async Task WaitForSessionEndAsync(
        UplinkSession session,
        CancellationToken cancellationToken
    )
    {
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnChanged()
        {
            if (uplink.Session != session)
            {
                ended.TrySetResult();
            }
        }
        uplink.SessionChanged += OnChanged;
        try
        {
            OnChanged();
            await ended.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Timed out or stopped: the caller decides.
        }
        finally
        {
            uplink.SessionChanged -= OnChanged;
        }
    }
}
