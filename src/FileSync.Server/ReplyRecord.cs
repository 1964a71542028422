using System.Text.Json;

namespace FileSync.Server;

/// <summary>
/// A non-sync message an edge sent (<c>file:chunk_result</c>, <c>edge:status</c>, <c>error</c>, unknown
/// types, …), as listed by <c>GET /api/edges/{edgeId}/replies</c>.
/// </summary>
/// <param name="Type">The message <c>type</c>.</param>
/// <param name="Payload">The message <c>payload</c> as sent (JSON null when absent).</param>
/// <param name="ReceivedAt">When the server received it.</param>
public sealed record ReplyRecord(string Type, JsonElement Payload, DateTimeOffset ReceivedAt);
