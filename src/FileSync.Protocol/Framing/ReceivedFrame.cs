namespace FileSync.Protocol.Framing;

/// <summary>What <see cref="FrameReader"/> read: one whole message, a dropped one, or the peer's close.</summary>
public enum ReceivedFrameKind
{
    /// <summary>A text message (UTF-8 JSON).</summary>
    Text,

    /// <summary>A binary message (MessagePack, when negotiated).</summary>
    Binary,

    /// <summary>A message over <see cref="ProtocolMessage.MaxFrameBytes"/>: read to its end and discarded.</summary>
    TooLarge,

    /// <summary>The peer's close frame.</summary>
    Close,
}

/// <summary>
/// One received message. <see cref="Bytes"/> belongs to the reader and is valid until its next read;
/// <see cref="Length"/> is the message's full size (also for <see cref="ReceivedFrameKind.TooLarge"/>).
/// </summary>
public readonly record struct ReceivedFrame(
    ReceivedFrameKind Kind,
    ReadOnlyMemory<byte> Bytes,
    long Length
);
