using System.Collections.Concurrent;
using System.Text.Json;
using FileSync.Edge.Uplink;
using FileSync.Protocol;

namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// An <see cref="IUplink"/> seam for logic tests: sessions are opened and closed by the test, and every
/// frame sent is parsed and recorded. Real-socket behaviour is covered by the end-to-end tests.
/// </summary>
public sealed class RecordingUplink : IUplink
{
    private long _epoch;
    private volatile UplinkSession? _session;

    public ConcurrentQueue<ProtocolMessage> Sent { get; } = new();

    /// <summary>The size of the largest frame sent so far.</summary>
    public int LargestFrameBytes { get; private set; }

    /// <summary>Count of batches: sends separated by at least one other awaited point are not tracked; use <see cref="Sent"/>.</summary>
    public UplinkSession? Session => _session;

    public event Action? SessionChanged;

    /// <summary>When set, sends on the current session fail (as if the socket broke) and the session ends.</summary>
    public bool FailSends { get; set; }

    /// <summary>Called with every recorded frame, on the sender's thread, before the send returns (a server answering at once).</summary>
    public Action<ProtocolMessage>? OnSent { get; set; }

    public UplinkSession Connect(IReadOnlyList<string>? capabilities = null)
    {
        var session = new UplinkSession(
            Interlocked.Increment(ref _epoch),
            "edge-test",
            "user-test",
            capabilities,
            0
        )
        {
            // As UplinkConnection does with its default options (Uplink:FastHash on).
            Hash = ContentHash.For(capabilities),
        };
        _session = session;
        SessionChanged?.Invoke();
        return session;
    }

    public void Disconnect()
    {
        _session = null;
        SessionChanged?.Invoke();
    }

    public ValueTask<bool> SendAsync(
        UplinkSession session,
        ReadOnlyMemory<byte> frame,
        CancellationToken cancellationToken = default
    )
    {
        if (_session != session)
        {
            return ValueTask.FromResult(false);
        }
        if (FailSends)
        {
            Disconnect();
            return ValueTask.FromResult(false);
        }
        Assert.True(ProtocolMessage.TryParse(frame, out var message, out var error), error);
        LargestFrameBytes = Math.Max(LargestFrameBytes, frame.Length);
        Sent.Enqueue(message);
        OnSent?.Invoke(message);
        return ValueTask.FromResult(true);
    }

    /// <summary>Waits until a message of <paramref name="type"/> has been sent.</summary>
    public Task WaitForSentAsync(string type) =>
        Wait.UntilAsync(() => OfType(type).Count > 0, Wait.Generous, () => $"a {type} message");

    public List<ProtocolMessage> OfType(string type) => [.. Sent.Where(m => m.Type == type)];

    public List<string> RelativePathsOf(string type) =>
        [.. OfType(type).Select(m => m.Payload.GetProperty("relativePath").GetString()!)];

    public void Clear() => Sent.Clear();

    public static string Text(ProtocolMessage message) =>
        message.Payload.GetProperty("content").GetString()!;

    public static JsonElement Stats(ProtocolMessage done) => done.Payload.GetProperty("stats");
}
