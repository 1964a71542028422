using System.Buffers;
using System.Text.Json;
using MessagePack;

namespace FileSync.Protocol.MessagePack;

/// <summary>
/// The MessagePack form of a frame: one map <c>{"type": str, "payload": map}</c>, the same keys as
/// the JSON form (Protocol/README.md, "Binary frames").
/// </summary>
internal static class MessagePackEnvelope
{
    /// <summary>
    /// Parses an envelope: a map with a string <c>type</c> and a map (or nil, or absent) <c>payload</c>,
    /// every value convertible to JSON. <paramref name="payload"/> is the payload map's bytes (a slice
    /// of <paramref name="frame"/>; empty when absent or nil).
    /// </summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> frame,
        out string type,
        out ReadOnlyMemory<byte> payload,
        out string error
    )
    {
        type = "";
        payload = default;
        try
        {
            var reader = new MessagePackReader(frame);
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                error = "frame is not a MessagePack map";
                return false;
            }
            var fields = reader.ReadMapHeader();
            string? foundType = null;
            for (var i = 0; i < fields; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    error = "frame has a key that is not a string";
                    return false;
                }
                var key = MessagePackJson.ReadUtf8(ref reader);
                if (key.SequenceEqual("type"u8))
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        error = "frame has no string 'type'";
                        return false;
                    }
                    var start = reader.Consumed;
                    if (!MessagePackJson.TryValidate(ref reader, 1, out error))
                    {
                        return false;
                    }
                    var typeReader = new MessagePackReader(frame[(int)start..]);
                    foundType = typeReader.ReadString();
                }
                else if (key.SequenceEqual("payload"u8))
                {
                    if (reader.TryReadNil())
                    {
                        payload = default;
                        continue;
                    }
                    if (reader.NextMessagePackType != MessagePackType.Map)
                    {
                        error = "frame 'payload' is not a map";
                        return false;
                    }
                    var start = (int)reader.Consumed;
                    if (!MessagePackJson.TryValidate(ref reader, 1, out error))
                    {
                        return false;
                    }
                    payload = frame[start..(int)reader.Consumed];
                }
                else if (!MessagePackJson.TryValidate(ref reader, 1, out error))
                {
                    return false;
                }
            }
            if (!reader.End)
            {
                error = "frame has bytes after its map";
                return false;
            }
            if (foundType is null)
            {
                error = "frame has no string 'type'";
                return false;
            }
            type = foundType;
            error = "";
            return true;
        }
        catch (Exception ex)
            when (ex
                    is EndOfStreamException
                        or MessagePackSerializationException
                        or ArgumentOutOfRangeException
                        or OverflowException
            )
        {
            error = "frame is not valid MessagePack: " + ex.Message;
            return false;
        }
    }

    /// <summary>The JSON form of a payload that <see cref="TryParse"/> accepted (undefined when empty).</summary>
    public static JsonElement PayloadToJson(ReadOnlyMemory<byte> payload)
    {
        if (payload.IsEmpty)
        {
            return default;
        }
        var buffer = new ArrayBufferWriter<byte>(payload.Length * 2 + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            var reader = new MessagePackReader(payload);
            MessagePackJson.WriteJson(writer, ref reader);
        }
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    /// <summary>An envelope whose payload is <paramref name="payload"/> converted value by value.</summary>
    public static byte[] FromJson(string type, JsonElement payload)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.Write("type");
        writer.Write(type);
        writer.Write("payload");
        MessagePackJson.Write(ref writer, payload);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }
}
