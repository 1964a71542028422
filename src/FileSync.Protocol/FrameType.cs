using System.Text.Json;
using FileSync.Protocol.MessagePack;
using MessagePack;

namespace FileSync.Protocol;

/// <summary>Finds a frame's top-level <c>type</c> without parsing the whole frame.</summary>
public static class FrameType
{
    /// <summary>
    /// The top-level string <c>type</c> of a frame, or null when the frame is not an object (map) with
    /// one (a full parse then says what is wrong). The last <c>type</c> wins, as in a full parse.
    /// </summary>
    public static string? Peek(ReadOnlySpan<byte> frame, WireFormat format) =>
        format == WireFormat.Json ? PeekJson(frame) : PeekMessagePack(frame.ToArray());

    private static string? PeekJson(ReadOnlySpan<byte> frame)
    {
        try
        {
            var reader = new Utf8JsonReader(frame, new JsonReaderOptions { MaxDepth = 32 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }
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

    private static string? PeekMessagePack(ReadOnlyMemory<byte> frame)
    {
        try
        {
            var reader = new MessagePackReader(frame);
            if (reader.NextMessagePackType != MessagePackType.Map)
            {
                return null;
            }
            string? type = null;
            var fields = reader.ReadMapHeader();
            for (var i = 0; i < fields; i++)
            {
                if (reader.NextMessagePackType != MessagePackType.String)
                {
                    return null;
                }
                var isType = MessagePackJson.ReadUtf8(ref reader).SequenceEqual("type"u8);
                if (isType && reader.NextMessagePackType == MessagePackType.String)
                {
                    type = reader.ReadString();
                }
                else
                {
                    type = isType ? null : type;
                    reader.Skip();
                }
            }
            return type;
        }
        catch (Exception ex)
            when (ex
                    is EndOfStreamException
                        or MessagePackSerializationException
                        or ArgumentOutOfRangeException
                        or OverflowException
            )
        {
            return null;
        }
    }
}
