using System.Threading.Tasks.Sources;

namespace FileSync.Edge.Uplink;

/// <summary>
/// A call that waits for the kernel (a socket's read, or its write) made one at a time on a thread of its own
/// and awaited like any asynchronous one. The kernel wakes that thread alone when the call can go on; the awaiting code's
/// continuation then runs on it at once, and its next call is waiting when it returns. The thread starts at
/// the first call and ends at <see cref="End"/>, at the end of the data, or at a failed call; calls after
/// that run on the caller's thread (they return at once: the socket is closed or at its end).
/// </summary>
internal sealed class OwnThreadCall : IValueTaskSource<int>, IValueTaskSource
{
    private readonly string _threadName;
    private readonly Func<Memory<byte>, int> _call;
    private readonly Action _abort;
    private readonly object _gate = new();
    private ManualResetValueTaskSourceCore<int> _core;
    private Memory<byte> _buffer;
    private CancellationToken _token;
    private CancellationTokenRegistration _abortOnCancel;
    private bool _pending;
    private bool _cancelled;
    private bool _started;
    private bool _ended;

    /// <param name="threadName">The thread's name, as tools that list threads show it.</param>
    /// <param name="call">The call, which may wait: takes the buffer, returns the bytes it moved (0: the end).</param>
    /// <param name="abort">Makes a blocked call return (closes the socket); used when a call is cancelled.</param>
    public OwnThreadCall(string threadName, Func<Memory<byte>, int> call, Action abort)
    {
        _threadName = threadName;
        _call = call;
        _abort = abort;
    }

    /// <summary>Starts the call; a cancelled one aborts the connection, as a cancelled WebSocket receive does.</summary>
    public ValueTask<int> CallAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<int>(cancellationToken);
        }
        lock (_gate)
        {
            if (!_ended && !buffer.IsEmpty)
            {
                return new ValueTask<int>(this, Post(buffer, cancellationToken));
            }
        }
        // Nothing to wait for: an empty buffer, or a socket that is closed or at its end.
        try
        {
            return ValueTask.FromResult(_call(buffer));
        }
        catch (Exception ex)
        {
            return ValueTask.FromException<int>(ex);
        }
    }

    /// <summary>Like <see cref="CallAsync"/>, for a caller that needs no result (a write of the whole buffer).</summary>
    public ValueTask CallWithoutResultAsync(
        Memory<byte> buffer,
        CancellationToken cancellationToken
    )
    {
        lock (_gate)
        {
            if (!_ended && !buffer.IsEmpty && !cancellationToken.IsCancellationRequested)
            {
                return new ValueTask(this, Post(buffer, cancellationToken));
            }
        }
        var call = CallAsync(buffer, cancellationToken);
        return call.IsCompletedSuccessfully
            ? ValueTask.CompletedTask
            : new ValueTask(call.AsTask());
    }

    /// <summary>No call is in progress: the caller may do what the thread would, on its own thread.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_gate)
            {
                return !_pending;
            }
        }
    }

    /// <summary>Ends the thread once its call (if any) returns.</summary>
    public void End()
    {
        lock (_gate)
        {
            _ended = true;
            Monitor.Pulse(_gate);
        }
    }

    private short Post(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        if (_pending)
        {
            throw new InvalidOperationException("A call is already in progress on this stream.");
        }
        _core.Reset();
        _buffer = buffer;
        _token = cancellationToken;
        _abortOnCancel = cancellationToken.UnsafeRegister(
            static state =>
            {
                var call = (OwnThreadCall)state!;
                Volatile.Write(ref call._cancelled, true);
                call._abort();
            },
            this
        );
        _pending = true;
        if (_started)
        {
            Monitor.Pulse(_gate);
        }
        else
        {
            _started = true;
            new Thread(Run) { IsBackground = true, Name = _threadName }.Start();
        }
        return _core.Version;
    }

    private void Run()
    {
        while (true)
        {
            Memory<byte> buffer;
            lock (_gate)
            {
                while (!_pending && !_ended)
                {
                    Monitor.Wait(_gate);
                }
                if (!_pending)
                {
                    return;
                }
                buffer = _buffer;
            }
            var moved = 0;
            Exception? failure = null;
            try
            {
                moved = _call(buffer);
            }
            catch (Exception ex)
            {
                failure = ex;
            }
            CancellationToken token;
            bool cancelled;
            bool last;
            lock (_gate)
            {
                _abortOnCancel.Dispose();
                token = _token;
                cancelled = Volatile.Read(ref _cancelled);
                _cancelled = false;
                last = failure is not null || moved == 0 || cancelled;
                _pending = false;
                _buffer = default;
                _token = default;
                _ended |= last;
            }
            // Completed here: the awaiting code goes on on this thread. A cancelled call closed the
            // connection, whatever the call then saw (the end, or a closed socket).
            if (cancelled)
            {
                _core.SetException(new OperationCanceledException(token));
            }
            else if (failure is null)
            {
                _core.SetResult(moved);
            }
            else
            {
                _core.SetException(failure);
            }
            if (last)
            {
                return;
            }
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(
        Action<object?> continuation,
        object? state,
        short token,
        ValueTaskSourceOnCompletedFlags flags
    ) => _core.OnCompleted(continuation, state, token, flags);

    void IValueTaskSource.OnCompleted(
        Action<object?> continuation,
        object? state,
        short token,
        ValueTaskSourceOnCompletedFlags flags
    ) => _core.OnCompleted(continuation, state, token, flags);
}
