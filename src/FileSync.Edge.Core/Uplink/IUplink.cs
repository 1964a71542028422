namespace FileSync.Edge.Uplink;

/// <summary>What the workspace managers see of the connection to the server.</summary>
public interface IUplink
{
    /// <summary>The current session, or null while disconnected.</summary>
    UplinkSession? Session { get; }

    /// <summary>Raised (on any thread) when <see cref="Session"/> changes. Handlers must only signal.</summary>
    event Action? SessionChanged;

    /// <summary>
    /// Sends one frame on <paramref name="session"/>: a JSON envelope (it starts with <c>{</c>) as a text
    /// message, any other (a MessagePack envelope, in a session of that format) as a binary one. Returns
    /// false, without sending, when that session has ended; the caller keeps its state and converges on
    /// the next session.
    /// </summary>
    ValueTask<bool> SendAsync(
        UplinkSession session,
        ReadOnlyMemory<byte> frame,
        CancellationToken cancellationToken = default
    );

    /// <summary>
    /// <see cref="SendAsync(UplinkSession, ReadOnlyMemory{byte}, CancellationToken)"/>, with
    /// <paramref name="deflate"/> false for a frame whose content is compressed already: it is sent
    /// without permessage-deflate.
    /// </summary>
    ValueTask<bool> SendAsync(
        UplinkSession session,
        ReadOnlyMemory<byte> frame,
        bool deflate,
        CancellationToken cancellationToken = default
    ) => SendAsync(session, frame, cancellationToken);

    /// <summary>
    /// Bytes sent on <paramref name="session"/> that the network has not taken yet (still in the
    /// socket's send queue), 0 when all are through or the system cannot tell, null when that session
    /// has ended. With a server that does not acknowledge, 0 is "delivered".
    /// </summary>
    long? UnsentBytes(UplinkSession session) => Session == session ? 0 : null;
}
