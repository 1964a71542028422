using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using FileSync.Protocol.MessagePack;

namespace FileSync.Protocol;

/// <summary>
/// One parsed frame: <c>{"type": "...", "payload": {...}}</c>, from a JSON text message or a
/// MessagePack binary one. The payload stays a <see cref="JsonElement"/> (or the MessagePack bytes,
/// turned into JSON only when asked for) until the receiver dispatches on <see cref="Type"/>.
/// </summary>
public readonly record struct ProtocolMessage
{
    private readonly JsonElement _payload;
    private readonly PackedPayload? _packed;

    public ProtocolMessage(string type, JsonElement payload)
    {
        Type = type;
        _payload = payload;
    }

    private ProtocolMessage(string type, PackedPayload packed)
    {
        Type = type;
        _packed = packed;
    }

    public string Type { get; }

    /// <summary>The payload as JSON (for a MessagePack frame: converted on first use, <c>bin</c> as base64).</summary>
    public JsonElement Payload => _packed?.Json ?? _payload;

    /// <summary>How the frame was encoded.</summary>
    public WireFormat Format => _packed is null ? WireFormat.Json : WireFormat.MessagePack;

    /// <summary>Largest frame either side accepts, in bytes.</summary>
    public const int MaxFrameBytes = 5 * 1024 * 1024;

    /// <summary>
    /// Why a received frame could not be parsed, for a frame a receiver could not accept (see
    /// <see cref="Malformed"/>); null for every parsed message. <see cref="TryParse"/> never sets it.
    /// </summary>
    public string? ParseError { get; init; }

    /// <summary>True for a placeholder made by <see cref="Malformed"/>.</summary>
    public bool IsMalformed => ParseError is not null;

    /// <summary>
    /// A placeholder for a frame that could not be accepted (not JSON, too large, binary, …), so a
    /// receive loop can hand "answer this with an <c>error</c>" to the stage that sends replies. Its
    /// <see cref="Type"/> is empty, which no dispatcher handles as a command.
    /// </summary>
    public static ProtocolMessage Malformed(string reason) =>
        new("", default(JsonElement)) { ParseError = reason };

    /// <summary>Serializes <paramref name="payload"/> (a payload type of this protocol) into a UTF-8 JSON envelope.</summary>
    public static byte[] Serialize<T>(string type, T payload) =>
        Serialize(type, payload, PayloadJson.Info<T>());

    /// <summary>Serializes <paramref name="payload"/> into an envelope of <paramref name="format"/>.</summary>
    public static byte[] Serialize<T>(string type, T payload, WireFormat format) =>
        format == WireFormat.Json
            ? Serialize(type, payload)
            : MessagePackEnvelope.FromJson(
                type,
                JsonSerializer.SerializeToElement(payload, PayloadJson.Info<T>())
            );

    /// <summary>
    /// A JSON envelope (as <see cref="Serialize{T}(string, T)"/> writes) in <paramref name="format"/>.
    /// A frame MessagePack cannot carry (a string with a lone surrogate, escaped in JSON, is no UTF-8)
    /// stays JSON: both ends accept JSON text frames on every connection. Returns the format used.
    /// </summary>
    public static WireFormat Encode(
        ReadOnlyMemory<byte> jsonFrame,
        WireFormat format,
        out ReadOnlyMemory<byte> frame
    )
    {
        frame = jsonFrame;
        if (format == WireFormat.Json || !TryParse(jsonFrame, out var message, out _))
        {
            return WireFormat.Json;
        }
        try
        {
            frame = MessagePackEnvelope.FromJson(message.Type, message.Payload);
            return WireFormat.MessagePack;
        }
        catch (InvalidOperationException)
        {
            return WireFormat.Json;
        }
    }

    internal static byte[] Serialize<T>(string type, T payload, JsonTypeInfo<T> typeInfo)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, type);
            writer.WritePropertyName("payload"u8);
            JsonSerializer.Serialize(writer, payload, typeInfo);
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Parses a frame of either encoding (see <see cref="TryParse(ReadOnlyMemory{byte}, out ProtocolMessage, out string)"/>).</summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> frame,
        WireFormat format,
        out ProtocolMessage message,
        out string error
    )
    {
        if (format == WireFormat.Json)
        {
            return TryParse(frame, out message, out error);
        }
        message = default;
        if (!MessagePackEnvelope.TryParse(frame, out var type, out var payload, out error))
        {
            return false;
        }
        message = new ProtocolMessage(type, new PackedPayload(payload));
        return true;
    }

    /// <summary>
    /// Parses a JSON envelope. Returns false with a one-line reason when the frame is not a JSON
    /// object with a string <c>type</c> and an object (or absent) <c>payload</c>.
    /// </summary>
    public static bool TryParse(
        ReadOnlyMemory<byte> utf8,
        out ProtocolMessage message,
        out string error
    )
    {
        message = default;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, new JsonDocumentOptions { MaxDepth = 32 });
        }
        catch (JsonException ex)
        {
            error = $"frame is not valid JSON: {ex.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "frame is not a JSON object";
                return false;
            }
            if (
                !root.TryGetProperty("type", out var typeElement)
                || typeElement.ValueKind != JsonValueKind.String
            )
            {
                error = "frame has no string 'type'";
                return false;
            }
            string type;
            try
            {
                type = typeElement.GetString()!;
            }
            catch (InvalidOperationException)
            {
                // An escaped lone surrogate ("\ud800") is valid JSON but not a valid string.
                error = "frame 'type' is not a valid string";
                return false;
            }
            var payload = default(JsonElement);
            if (root.TryGetProperty("payload", out var payloadElement))
            {
                if (payloadElement.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
                {
                    error = "frame 'payload' is not an object";
                    return false;
                }
                payload = payloadElement.Clone();
            }
            message = new ProtocolMessage(type, payload);
            error = "";
            return true;
        }
    }

    /// <summary>
    /// Reads the payload as <typeparamref name="T"/> (a payload type of this protocol). Returns false
    /// with a one-line reason when the payload is missing or its fields have the wrong types.
    /// </summary>
    public bool TryReadPayload<T>([NotNullWhen(true)] out T? value, out string error)
        where T : class
    {
        if (_packed is { } packed && PackedPayloadReader.Handles<T>())
        {
            return PackedPayloadReader.TryRead(Type, packed.Bytes, out value, out error);
        }
        return TryReadPayload(PayloadJson.Info<T>(), out value, out error);
    }

    internal bool TryReadPayload<T>(
        JsonTypeInfo<T> typeInfo,
        [NotNullWhen(true)] out T? value,
        out string error
    )
        where T : class
    {
        value = null;
        if (Payload.ValueKind != JsonValueKind.Object)
        {
            error = $"'{Type}' has no payload object";
            return false;
        }
        try
        {
            value = Payload.Deserialize(typeInfo);
        }
        catch (JsonException ex)
        {
            error = $"'{Type}' payload is invalid: {ex.Message}";
            return false;
        }
        catch (InvalidOperationException ex)
        {
            error = $"'{Type}' payload is invalid: {ex.Message}";
            return false;
        }
        if (value is null)
        {
            error = $"'{Type}' payload is null";
            return false;
        }
        error = "";
        return true;
    }

    /// <summary>The payload of a MessagePack frame, and its JSON form once someone asked for it.</summary>
    private sealed class PackedPayload(ReadOnlyMemory<byte> bytes)
    {
        private JsonElement? _json;

        public ReadOnlyMemory<byte> Bytes { get; } = bytes;

        public JsonElement Json => _json ??= MessagePackEnvelope.PayloadToJson(Bytes);
    }
}
