namespace FileSync.Edge.Workspace.Pipeline;

/// <summary>
/// Runs planned work items through the stages: <see cref="FileHasher"/> (reads on the pool) →
/// <see cref="SyncReconciler"/> (decides) → <see cref="SyncActionApplier"/> (index, counters, frames),
/// in completion order on the loop. Each file is a boundary where a pause takes effect (<see cref="PauseGate"/>):
/// the batch holds there and goes on from the same file when resumed.
/// </summary>
internal sealed class SyncPipeline(
    PauseGate gate,
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
            await gate.HoldAsync(batch.Session, cancellationToken).ConfigureAwait(false);
            await applier
                .ApplyAsync(reconciler.Decide(result, batch), batch, cancellationToken)
                .ConfigureAwait(false);
        }
    }
}
