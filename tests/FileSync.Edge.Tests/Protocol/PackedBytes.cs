using System.Buffers;
using MessagePack;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>Hand-built MessagePack bytes for tests (including shapes the protocol's writers never make).</summary>
internal static class PackedBytes
{
    public delegate void Write(ref MessagePackWriter writer);

    public static byte[] Pack(Write write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    public static void Map(ref MessagePackWriter writer, params (string Key, Write Value)[] fields)
    {
        writer.WriteMapHeader(fields.Length);
        foreach (var (key, value) in fields)
        {
            writer.Write(key);
            value(ref writer);
        }
    }
}
