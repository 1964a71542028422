using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Uplink;

/// <summary>
/// The reconnect loop: connect, run the session, and on a failure name its cause (a warning for the first
/// of an outage), back off per <see cref="IReconnectPolicy"/> and try again, until the policy gives up.
/// </summary>
public sealed partial class UplinkConnection
{
    // Set while the loop waits out a backoff: completing it ends the wait at once (ReconnectNow).
    private volatile TaskCompletionSource? _skipBackoff;

    // When the next connect is due (UTC ticks) while the loop waits out a backoff, else 0.
    private long _nextAttemptTicks;

    /// <summary>
    /// When the next connect starts, while the connection waits out a backoff; null otherwise (connecting
    /// or connected). Absolute, so whoever shows it computes what is left at the time it shows it.
    /// </summary>
    public DateTimeOffset? NextAttemptAt =>
        Interlocked.Read(ref _nextAttemptTicks) is var ticks and not 0
            ? new DateTimeOffset(ticks, TimeSpan.Zero)
            : null;

    /// <summary>
    /// Ends a backoff wait at once: the next connect starts now (a person asked for a resync while
    /// offline). False, doing nothing, when no backoff is under way (connecting or connected already).
    /// </summary>
    public bool ReconnectNow()
    {
        if (_skipBackoff is { } skip && skip.TrySetResult())
        {
            Log.ReconnectingNow(_logger, ServerName);
            return true;
        }
        return false;
    }

    /// <summary>Waits <paramref name="delay"/> in state Reconnecting, or less when <see cref="ReconnectNow"/> is called.</summary>
    private async Task BackOffAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        var skip = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _nextAttemptTicks, (_time.GetUtcNow() + delay).UtcTicks);
        _skipBackoff = skip;
        ChangeState(State, UplinkState.Reconnecting);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        try
        {
            await Task.WhenAny(Task.Delay(delay, _time, stop.Token), skip.Task)
                .ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
        }
        finally
        {
            _skipBackoff = null;
            Interlocked.Exchange(ref _nextAttemptTicks, 0);
            await stop.CancelAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var attempt = 0;
        var longRetries = 0;
        var outageStarted = _time.GetTimestamp();
        // The cause last logged at Warning in this outage: the first failure of an outage (and a new cause)
        // is a warning, the same failure repeating is information.
        string? outageCause = null;
        ChangeState(UplinkState.Disconnected, UplinkState.Connecting);
        try
        {
            while (true)
            {
                Exception? failure = null;
                try
                {
                    using var transport = await ConnectAsync(cancellationToken)
                        .ConfigureAwait(false);
                    await RunSessionAsync(transport, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    break;
                }
                catch (IdentityNotReadException)
                {
                    // The server did not acknowledge the identity header: at once again, with the query.
                    _identityInQuery = true;
                    Log.IdentityInQuery(_logger, ServerName);
                    ChangeState(State, UplinkState.Reconnecting);
                    ChangeState(UplinkState.Reconnecting, UplinkState.Connecting);
                    continue;
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    // Stopping: whatever the aborted socket threw is not a failure.
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    failure = ex;
                }
                finally
                {
                    SetSession(null);
                }
                var connected = _sessionStarted;
                if (connected)
                {
                    attempt = 0;
                    outageStarted = _time.GetTimestamp();
                    outageCause = null;
                }

                var delay = _policy.NextDelay(
                    new ReconnectContext(
                        attempt,
                        _time.GetElapsedTime(outageStarted),
                        failure,
                        longRetries
                    )
                );
                longRetries = DefaultReconnectPolicy.CallsForLongPause(failure)
                    ? longRetries + 1
                    : 0;
                var description = ConnectionFailure.Describe(failure, LastAttempt());
                _lastProblem = new ConnectionProblem(description.ToString(), _time.GetUtcNow());
                if (delay is null)
                {
                    if (failure is UplinkAuthenticationException)
                    {
                        Log.AuthenticationRejected(_logger, ServerName);
                    }
                    ForceStopped();
                    _commands.Writer.TryComplete();
                    _completion.TrySetException(
                        failure ?? new InvalidOperationException("The reconnect policy gave up.")
                    );
                    return;
                }
                var firstOfOutage = outageCause != description.Cause;
                outageCause = description.Cause;
                Log.Reconnecting(
                    _logger,
                    firstOfOutage ? LogLevel.Warning : LogLevel.Information,
                    connected ? "Connection lost with" : "Cannot connect to",
                    ServerName,
                    description.ToString(),
                    delay.Value.TotalSeconds,
                    attempt + 1
                );
                attempt++;
                await BackOffAsync(delay.Value, cancellationToken).ConfigureAwait(false);
                ChangeState(UplinkState.Reconnecting, UplinkState.Connecting);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        catch (Exception ex)
        {
            // Out of memory (or a bug): a dead uplink must end the agent, not leave it running unconnected.
            ForceStopped();
            SetSession(null);
            _commands.Writer.TryComplete();
            _completion.TrySetException(ex);
            return;
        }
        ForceStopped();
        _commands.Writer.TryComplete();
        _completion.TrySetResult();
    }
}
