using System.Buffers;
using System.Text.Json;

namespace FileSync.Protocol;

/// <summary>
/// A reply that carries every field of its request (the todoforai backend routes replies by the
/// request's own fields) and, over them, the reply's own fields: one reply both kinds of server read.
/// </summary>
public static class EchoingReply
{
    /// <param name="request">The request's payload; its fields are copied unless the reply sets them. Undefined: none.</param>
    public static byte[] Serialize<T>(string type, JsonElement request, T reply)
    {
        var own = JsonSerializer.SerializeToElement(reply, PayloadJson.Info<T>());
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in own.EnumerateObject())
        {
            names.Add(property.Name);
        }
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WritePropertyName("payload");
            writer.WriteStartObject();
            if (request.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in request.EnumerateObject())
                {
                    // A field that cannot be written back as valid JSON (a lone surrogate escaped in the
                    // request) is left out rather than fail the whole reply.
                    if (TryCopy(property, out var name, out var value) && names.Add(name))
                    {
                        writer.WritePropertyName(name);
                        writer.WriteRawValue(value, skipInputValidation: true);
                    }
                }
            }
            foreach (var property in own.EnumerateObject())
            {
                property.WriteTo(writer);
            }
            writer.WriteEndObject();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static bool TryCopy(JsonProperty property, out string name, out byte[] value)
    {
        name = "";
        value = [];
        try
        {
            name = property.Name;
            var scratch = new ArrayBufferWriter<byte>(64);
            using (var writer = new Utf8JsonWriter(scratch))
            {
                property.Value.WriteTo(writer);
            }
            value = scratch.WrittenSpan.ToArray();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
