using System.Buffers;
using MessagePack;

namespace FileSync.Protocol.MessagePack;

/// <summary>Helpers for the typed MessagePack frames: envelope start and hashes as bytes.</summary>
internal static class PackedWriter
{
    /// <summary>Starts <c>{"type": type, "payload": {…fields}}</c>; the caller writes the payload's fields.</summary>
    public static MessagePackWriter Start(ArrayBufferWriter<byte> buffer, string type, int fields)
    {
        var writer = new MessagePackWriter(buffer);
        writer.WriteMapHeader(2);
        writer.Write("type");
        writer.Write(type);
        writer.Write("payload");
        writer.WriteMapHeader(fields);
        return writer;
    }

    /// <summary>A hex digest as its bytes (<c>bin</c>); anything that is not even-length hex stays a string.</summary>
    public static void WriteHash(ref MessagePackWriter writer, string hex)
    {
        var bytes =
            hex.Length is > 0 and <= 128 && hex.Length % 2 == 0 ? new byte[hex.Length / 2] : [];
        if (
            bytes.Length > 0
            && Convert.FromHexString(hex, bytes, out _, out _) == OperationStatus.Done
        )
        {
            writer.Write(bytes);
        }
        else
        {
            writer.Write(hex);
        }
    }

    public static void WriteOptional(ref MessagePackWriter writer, string key, string? value)
    {
        if (value is not null)
        {
            writer.Write(key);
            writer.Write(value);
        }
    }
}
