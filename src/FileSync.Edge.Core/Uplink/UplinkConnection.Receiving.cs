using System.Buffers;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using FileSync.Edge.Protocol;

namespace FileSync.Edge.Uplink;

/// <summary>Reading frames: reassembly within the size limit, and the bounded command queue the control stage reads.</summary>
public sealed partial class UplinkConnection
{
    /// <summary>
    /// Reads one whole message. A message over <see cref="ProtocolMessage.MaxFrameBytes"/> is read to its
    /// end into a scratch buffer and discarded, as is a binary message; both come back as
    /// <see cref="ReceivedFrame.Dropped"/> so the control stage can answer them.
    /// </summary>
    private async Task<ReceivedFrame> ReceiveFrameAsync(
        ClientWebSocket socket,
        byte[] buffer,
        CancellationToken cancellationToken
    )
    {
        byte[]? large = null;
        var length = 0;
        long discarded = 0;
        try
        {
            while (true)
            {
                var target = large ?? buffer;
                var capacity = Math.Min(target.Length, ProtocolMessage.MaxFrameBytes);
                if (length == capacity && capacity < ProtocolMessage.MaxFrameBytes)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(
                        Math.Min(capacity * 2, ProtocolMessage.MaxFrameBytes)
                    );
                    target.AsSpan(0, length).CopyTo(bigger);
                    if (large is not null)
                    {
                        ArrayPool<byte>.Shared.Return(large);
                    }
                    large = bigger;
                    target = bigger;
                    capacity = Math.Min(target.Length, ProtocolMessage.MaxFrameBytes);
                }
                // At the limit, keep reading (to find the message's end) into the scratch buffer.
                var full = length == capacity;
                var into = full ? buffer.AsMemory() : target.AsMemory(length, capacity - length);
                var result = await socket
                    .ReceiveAsync(into, cancellationToken)
                    .ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return new ReceivedFrame([], null, Closed: true);
                }
                if (full)
                {
                    discarded += result.Count;
                }
                else
                {
                    length += result.Count;
                }
                if (!result.EndOfMessage)
                {
                    continue;
                }
                if (discarded > 0)
                {
                    return new ReceivedFrame(
                        [],
                        $"frame of {length + discarded} bytes is larger than the limit of {ProtocolMessage.MaxFrameBytes} bytes; dropped",
                        false
                    );
                }
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    return new ReceivedFrame(
                        [],
                        "binary frames are not part of the protocol; dropped",
                        false
                    );
                }
                return new ReceivedFrame(target.AsSpan(0, length).ToArray(), null, false);
            }
        }
        finally
        {
            if (large is not null)
            {
                ArrayPool<byte>.Shared.Return(large);
            }
        }
    }

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
            await _commandBytesFreed.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        Interlocked.Add(ref _queuedCommandBytes, bytes);
        try
        {
            await _commands.Writer.WriteAsync(command, cancellationToken).ConfigureAwait(false);
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

    /// <summary>One received message, or why it was dropped, or the end of the connection.</summary>
    private readonly record struct ReceivedFrame(byte[] Bytes, string? Dropped, bool Closed);

    /// <summary>
    /// A queued command: the raw frame (held against <see cref="CommandQueueBytes"/>, parsed when the
    /// control stage takes it) or the reason a frame could not be accepted.
    /// </summary>
    private readonly record struct QueuedCommand(byte[]? Frame, string? Rejection)
    {
        public static QueuedCommand Raw(byte[] frame) => new(frame, null);

        public static QueuedCommand Problem(string reason) => new(null, reason);

        public ProtocolMessage ToMessage() =>
            Frame is null ? ProtocolMessage.Malformed(Rejection!)
            : ProtocolMessage.TryParse(Frame, out var message, out var error) ? message
            : ProtocolMessage.Malformed(error);
    }

    /// <summary>
    /// The top-level string <c>type</c> of a frame, found without building a document; null when the frame
    /// is not a JSON object with one (the control stage's full parse then says what is wrong). Only a frame
    /// that is not a command (<c>connected_edge</c>, <c>error</c>) is parsed by the receive loop itself.
    /// </summary>
    private static string? PeekType(ReadOnlySpan<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
            // The last 'type' wins, as in ProtocolMessage.TryParse.
            string? type = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                reader.Read();
                if (isType)
                {
                    type = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
                }
                reader.Skip();
            }
            return type;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }
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
