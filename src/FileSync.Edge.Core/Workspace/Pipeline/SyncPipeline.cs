namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Runs planned work items through the stages: <see cref="FileHasher"/> (reads on the pool) →
/// <see cref="SyncReconciler"/> (decides) → <see cref="SyncActionApplier"/> (index, counters, frames),
/// in completion order on the loop.
/// </summary>
internal sealed class SyncPipeline(
    FileHasher hasher,
    SyncReconciler reconciler,
    SyncActionApplier applier
)
{
    public async Task RunAsync(
        List<WorkItem> items,
        SyncBatch batch,
        CancellationToken cancellationToken
    )
    {
        await foreach (
            var result in hasher.ReadAllAsync(items, batch, cancellationToken).ConfigureAwait(false)
        )
        {
            await applier
                .ApplyAsync(reconciler.Decide(result, batch), batch, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
