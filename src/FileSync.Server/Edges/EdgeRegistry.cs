using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net.WebSockets;
using System.Text.Json;

namespace FileSync.Server.Edges;

/// <summary>
/// Connected edges by id (a newer connection of the same edge replaces the older one) and, per
/// edge, a bounded log of the non-sync messages it sent. Thread-safe.
/// </summary>
internal sealed class EdgeRegistry
{
    private static readonly JsonElement s_nullPayload = JsonDocument
        .Parse("null")
        .RootElement.Clone();

    private readonly ConcurrentDictionary<string, EdgeSession> _sessions = new(
        StringComparer.Ordinal
    );
    private readonly ConcurrentDictionary<string, ReplyLog> _replies = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, EdgeRoots> _roots = new(StringComparer.Ordinal);
    private readonly int _maxReplies;
    private readonly TimeProvider _time;

    public EdgeRegistry(ServerOptions options, TimeProvider time)
    {
        _maxReplies = options.MaxRepliesPerEdge;
        _time = time;
    }

    /// <summary>Edges connected right now, oldest connection first.</summary>
    public IReadOnlyList<EdgeSession> ConnectedEdges =>
        _sessions
            .Values.OrderBy(s => s.ConnectedAt)
            .ThenBy(s => s.EdgeId, StringComparer.Ordinal)
            .ToList();

    /// <summary>Registers <paramref name="session"/>; returns the session it replaced, if any.</summary>
    public EdgeSession? Register(EdgeSession session)
    {
        EdgeSession? previous = null;
        _sessions.AddOrUpdate(
            session.EdgeId,
            session,
            (_, existing) =>
            {
                previous = existing;
                return session;
            }
        );
        return ReferenceEquals(previous, session) ? null : previous;
    }

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _applyGates = new(
        StringComparer.Ordinal
    );

    /// <summary>Held while one of the edge's messages is applied to the mirror (see <see cref="IsCurrent"/>).</summary>
    public SemaphoreSlim ApplyGateOf(string edgeId) =>
        _applyGates.GetOrAdd(edgeId, static _ => new SemaphoreSlim(1, 1));

    /// <summary>True while <paramref name="session"/> is its edge's newest connection.</summary>
    public bool IsCurrent(EdgeSession session) =>
        _sessions.TryGetValue(session.EdgeId, out var current) && ReferenceEquals(current, session);

    /// <summary>Removes <paramref name="session"/> unless a newer session of the same edge replaced it.</summary>
    public bool Unregister(EdgeSession session) =>
        _sessions.TryRemove(new KeyValuePair<string, EdgeSession>(session.EdgeId, session));

    public bool TryGetSession(string edgeId, [NotNullWhen(true)] out EdgeSession? session) =>
        _sessions.TryGetValue(edgeId, out session);

    /// <summary>Starts closing every connection (returns at once); used when the server stops.</summary>
    public int StopAll(WebSocketCloseStatus status, string description)
    {
        var sessions = _sessions.Values.ToList();
        foreach (var session in sessions)
        {
            session.Stop(status, description);
        }
        return sessions.Count;
    }

    /// <summary>The workspace roots known for the edge (kept across its reconnects).</summary>
    public EdgeRoots RootsOf(string edgeId) => _roots.GetOrAdd(edgeId, static _ => new EdgeRoots());

    /// <summary>Appends a message to the edge's reply log, dropping the oldest beyond the bound.</summary>
    public void AppendReply(string edgeId, string type, JsonElement payload)
    {
        var record = new ReplyRecord(
            type,
            payload.ValueKind == JsonValueKind.Undefined ? s_nullPayload : payload,
            _time.GetUtcNow()
        );
        _replies.GetOrAdd(edgeId, static (_, max) => new ReplyLog(max), _maxReplies).Add(record);
    }

    /// <summary>The edge's reply log, oldest first; empty for an edge that sent nothing.</summary>
    public ReplyRecord[] GetReplies(string edgeId) =>
        _replies.TryGetValue(edgeId, out var log) ? log.Snapshot() : [];

    private sealed class ReplyLog(int capacity)
    {
        private readonly Lock _gate = new();
        private readonly Queue<ReplyRecord> _records = new();

        public void Add(ReplyRecord record)
        {
            lock (_gate)
            {
                if (_records.Count == capacity)
                {
                    _records.Dequeue();
                }
                _records.Enqueue(record);
            }
        }

        public ReplyRecord[] Snapshot()
        {
            lock (_gate)
            {
                return [.. _records];
            }
        }
    }
}
