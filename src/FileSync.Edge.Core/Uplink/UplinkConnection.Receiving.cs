using System.Threading.Channels;
using FileSync.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>Reading frames: reassembly within the size limit, and the bounded command queue the control stage reads.</summary>
public sealed partial class UplinkConnection
{
    private long _commandQueueWaits;

    /// <summary>
    /// How often the receive loop stopped reading to wait for room in <see cref="Commands"/> (by count or
    /// by bytes): the positive sign of backpressure that tests of the bound wait for.
    /// </summary>
    internal long CommandQueueWaits => Interlocked.Read(ref _commandQueueWaits);

    /// <summary>
    /// Queues a command for the control stage, waiting while the queue is full by count or by bytes
    /// (the socket is then not read, which pushes back on the server).
    /// </summary>
    private async ValueTask EnqueueCommandAsync(
        QueuedCommand command,
        CancellationToken cancellationToken
    )
    {
        var bytes = command.Frame?.Length ?? 0;
        while (true)
        {
            var queued = Interlocked.Read(ref _queuedCommandBytes);
            if (queued == 0 || queued + bytes <= CommandQueueBytes)
            {
                break;
            }
            Interlocked.Increment(ref _commandQueueWaits);
            await _commandBytesFreed.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Add(ref _queuedCommandBytes, bytes);
        try
        {
            if (!_commands.Writer.TryWrite(command))
            {
                Interlocked.Increment(ref _commandQueueWaits);
                await _commands.Writer.WriteAsync(command, cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            Interlocked.Add(ref _queuedCommandBytes, -bytes);
            throw;
        }
    }

    private void OnCommandDequeued(int bytes)
    {
        if (bytes > 0)
        {
            Interlocked.Add(ref _queuedCommandBytes, -bytes);
            _commandBytesFreed.Writer.TryWrite(true);
        }
    }

    /// <summary>
    /// A queued command: the raw frame (held against <see cref="CommandQueueBytes"/>, parsed when the
    /// control stage takes it) or the reason a frame could not be accepted.
    /// </summary>
    private readonly record struct QueuedCommand(
        byte[]? Frame,
        WireFormat Format,
        string? Rejection
    )
    {
        public static QueuedCommand Raw(byte[] frame, WireFormat format) =>
            new(frame, format, null);

        public static QueuedCommand Problem(string reason) => new(null, WireFormat.Json, reason);

        public ProtocolMessage ToMessage() =>
            Frame is null ? ProtocolMessage.Malformed(Rejection!)
            : ProtocolMessage.TryParse(Frame, Format, out var message, out var error) ? message
            : ProtocolMessage.Malformed(error);
    }

    /// <summary>The reader side of the command queue: hands out messages and gives their bytes back to the budget.</summary>
    private sealed class CommandReader(UplinkConnection owner) : ChannelReader<ProtocolMessage>
    {
        public override Task Completion => owner._commands.Reader.Completion;

        public override bool CanCount => true;

        public override int Count => owner._commands.Reader.Count;

        public override bool TryRead(out ProtocolMessage item)
        {
            if (owner._commands.Reader.TryRead(out var queued))
            {
                item = queued.ToMessage();
                owner.OnCommandDequeued(queued.Frame?.Length ?? 0);
                return true;
            }
            item = default;
            return false;
        }

        public override ValueTask<bool> WaitToReadAsync(
            CancellationToken cancellationToken = default
        ) => owner._commands.Reader.WaitToReadAsync(cancellationToken);
    }
}
