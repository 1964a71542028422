using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using MessagePack;

namespace FileSync.Protocol.MessagePack;

/// <summary>
/// Converts between JSON values and MessagePack values of the same shape: objects ↔ maps with string
/// keys, arrays, strings, integers, floats, booleans, null. MessagePack <c>bin</c> becomes a base64
/// string in JSON (the typed readers in <see cref="PackedPayloadReader"/> take bytes directly).
/// </summary>
internal static class MessagePackJson
{
    /// <summary>Deepest nesting either direction accepts, as <see cref="ProtocolMessage.TryParse(ReadOnlyMemory{byte}, out ProtocolMessage, out string)"/> does for JSON.</summary>
    public const int MaxDepth = 32;

    public static void Write(ref MessagePackWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var count = 0;
                foreach (var _ in element.EnumerateObject())
                {
                    count++;
                }
                writer.WriteMapHeader(count);
                foreach (var property in element.EnumerateObject())
                {
                    writer.Write(property.Name);
                    Write(ref writer, property.Value);
                }
                break;
            case JsonValueKind.Array:
                writer.WriteArrayHeader(element.GetArrayLength());
                foreach (var item in element.EnumerateArray())
                {
                    Write(ref writer, item);
                }
                break;
            case JsonValueKind.String:
                writer.Write(element.GetString());
                break;
            case JsonValueKind.Number:
                if (element.TryGetInt64(out var signed))
                {
                    writer.Write(signed);
                }
                else if (element.TryGetUInt64(out var unsigned))
                {
                    writer.Write(unsigned);
                }
                else
                {
                    writer.Write(element.GetDouble());
                }
                break;
            case JsonValueKind.True:
                writer.Write(true);
                break;
            case JsonValueKind.False:
                writer.Write(false);
                break;
            default:
                writer.WriteNil();
                break;
        }
    }

    /// <summary>
    /// Checks that the next value is one <see cref="WriteJson"/> can convert (string keys, UTF-8 strings,
    /// no extension types, finite floats, at most <see cref="MaxDepth"/> deep) and moves past it.
    /// Returns false with a one-line reason otherwise; a truncated value throws
    /// <see cref="EndOfStreamException"/> or <see cref="MessagePackSerializationException"/>.
    /// </summary>
    public static bool TryValidate(ref MessagePackReader reader, int depth, out string error)
    {
        if (depth > MaxDepth)
        {
            error = $"nested deeper than {MaxDepth} levels";
            return false;
        }
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var fields = reader.ReadMapHeader();
                for (var i = 0; i < fields; i++)
                {
                    if (reader.NextMessagePackType != MessagePackType.String)
                    {
                        error = "a map key is not a string";
                        return false;
                    }
                    if (!TryValidate(ref reader, depth + 1, out error))
                    {
                        return false;
                    }
                    if (!TryValidate(ref reader, depth + 1, out error))
                    {
                        return false;
                    }
                }
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                for (var i = 0; i < items; i++)
                {
                    if (!TryValidate(ref reader, depth + 1, out error))
                    {
                        return false;
                    }
                }
                break;
            case MessagePackType.String:
                var text = reader.ReadStringSequence();
                if (text is { } bytes && !IsUtf8(bytes))
                {
                    error = "a string is not valid UTF-8";
                    return false;
                }
                break;
            case MessagePackType.Float:
                if (!double.IsFinite(reader.ReadDouble()))
                {
                    error = "a float is not finite";
                    return false;
                }
                break;
            case MessagePackType.Extension:
                error = "extension types are not part of the protocol";
                return false;
            case MessagePackType.Unknown:
                error = $"invalid MessagePack code 0x{reader.NextCode:x2}";
                return false;
            default:
                reader.Skip();
                break;
        }
        error = "";
        return true;
    }

    /// <summary>Writes the next (validated, see <see cref="TryValidate"/>) value as JSON.</summary>
    public static void WriteJson(Utf8JsonWriter writer, ref MessagePackReader reader)
    {
        switch (reader.NextMessagePackType)
        {
            case MessagePackType.Map:
                var fields = reader.ReadMapHeader();
                writer.WriteStartObject();
                for (var i = 0; i < fields; i++)
                {
                    writer.WritePropertyName(ReadUtf8(ref reader));
                    WriteJson(writer, ref reader);
                }
                writer.WriteEndObject();
                break;
            case MessagePackType.Array:
                var items = reader.ReadArrayHeader();
                writer.WriteStartArray();
                for (var i = 0; i < items; i++)
                {
                    WriteJson(writer, ref reader);
                }
                writer.WriteEndArray();
                break;
            case MessagePackType.String:
                writer.WriteStringValue(ReadUtf8(ref reader));
                break;
            case MessagePackType.Binary:
                var bytes = reader.ReadBytes() ?? default;
                writer.WriteBase64StringValue(
                    bytes.IsSingleSegment ? bytes.FirstSpan : bytes.ToArray()
                );
                break;
            case MessagePackType.Integer:
                if (reader.NextCode == MessagePackCode.UInt64)
                {
                    writer.WriteNumberValue(reader.ReadUInt64());
                }
                else
                {
                    writer.WriteNumberValue(reader.ReadInt64());
                }
                break;
            case MessagePackType.Float:
                writer.WriteNumberValue(reader.ReadDouble());
                break;
            case MessagePackType.Boolean:
                writer.WriteBooleanValue(reader.ReadBoolean());
                break;
            default:
                reader.Skip();
                writer.WriteNullValue();
                break;
        }
    }

    /// <summary>The next string's UTF-8 bytes (copied only when the sequence is segmented).</summary>
    public static ReadOnlySpan<byte> ReadUtf8(ref MessagePackReader reader)
    {
        if (reader.TryReadStringSpan(out var span))
        {
            return span;
        }
        return reader.ReadStringSequence() is { } sequence ? sequence.ToArray() : [];
    }

    private static bool IsUtf8(in ReadOnlySequence<byte> bytes) =>
        bytes.IsSingleSegment ? Utf8.IsValid(bytes.FirstSpan) : Utf8.IsValid(bytes.ToArray());
}
