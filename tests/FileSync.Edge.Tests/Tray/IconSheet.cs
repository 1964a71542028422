using System.Buffers.Binary;
using System.IO.Compression;
using FileSync.Tray.Icons;
using FileSync.Tray.State;

namespace FileSync.Edge.Tests.Tray;

/// <summary>
/// The picture of the tray's icons in the README (src/FileSync.Tray/docs/tray-icons.png): every state at
/// 16, 24 and 48 px on a light and a dark panel, drawn from <see cref="StateIconArt"/>, written as a PNG.
/// </summary>
public static class IconSheet
{
    public static readonly TrayKind[] Order =
    [
        TrayKind.Synced,
        TrayKind.Syncing,
        TrayKind.Paused,
        TrayKind.Offline,
        TrayKind.Error,
        TrayKind.NoAgent,
        TrayKind.Starting,
    ];

    private static readonly int[] s_sizes = [16, 24, 48];
    private const int Cell = 56;

    /// <summary>Width, height and RGBA bytes of the sheet.</summary>
    public static (int Width, int Height, byte[] Rgba) Render()
    {
        var width = Order.Length * Cell;
        var panelHeight = s_sizes.Sum(s => s + 8);
        var height = 2 * panelHeight;
        var rgba = new byte[width * height * 4];
        for (var panel = 0; panel < 2; panel++)
        {
            var background = panel == 0 ? 0xF2F2F2u : 0x2B2B2Bu;
            for (var y = panel * panelHeight; y < (panel + 1) * panelHeight; y++)
            {
                for (var x = 0; x < width; x++)
                {
                    Put(rgba, width, x, y, 0xFF000000 | background);
                }
            }
            var top = panel * panelHeight;
            foreach (var size in s_sizes)
            {
                for (var k = 0; k < Order.Length; k++)
                {
                    var pixels = StateIconArt.Pixels(Order[k], size);
                    var left = k * Cell + (Cell - size) / 2;
                    for (var y = 0; y < size; y++)
                    {
                        for (var x = 0; x < size; x++)
                        {
                            Blend(rgba, width, left + x, top + 4 + y, pixels[y * size + x]);
                        }
                    }
                }
                top += size + 8;
            }
        }
        return (width, height, rgba);
    }

    private static void Put(byte[] rgba, int width, int x, int y, uint argb)
    {
        var i = (y * width + x) * 4;
        rgba[i] = (byte)(argb >> 16);
        rgba[i + 1] = (byte)(argb >> 8);
        rgba[i + 2] = (byte)argb;
        rgba[i + 3] = (byte)(argb >> 24);
    }

    private static void Blend(byte[] rgba, int width, int x, int y, uint argb)
    {
        var a = (argb >> 24) / 255.0;
        var i = (y * width + x) * 4;
        rgba[i] = Mix(rgba[i], (byte)(argb >> 16), a);
        rgba[i + 1] = Mix(rgba[i + 1], (byte)(argb >> 8), a);
        rgba[i + 2] = Mix(rgba[i + 2], (byte)argb, a);

        static byte Mix(byte under, byte over, double a) =>
            (byte)Math.Round(over * a + under * (1 - a));
    }

    /// <summary>A PNG (8-bit RGBA, no interlace) of <paramref name="rgba"/>.</summary>
    public static byte[] Png(int width, int height, byte[] rgba)
    {
        using var output = new MemoryStream();
        output.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = 6; // RGBA
        Chunk(output, "IHDR", header);
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            for (var y = 0; y < height; y++)
            {
                zlib.WriteByte(0); // no filter
                zlib.Write(rgba, y * width * 4, width * 4);
            }
        }
        Chunk(output, "IDAT", raw.ToArray());
        Chunk(output, "IEND", []);
        return output.ToArray();
    }

    private static void Chunk(Stream output, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        output.Write(number);
        var typed = new byte[4 + data.Length];
        System.Text.Encoding.ASCII.GetBytes(type, typed);
        data.CopyTo(typed, 4);
        output.Write(typed);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32(typed));
        output.Write(number);
    }

    private static uint Crc32(byte[] data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
        }
        return ~crc;
    }
}
