using System.Buffers.Binary;
using FileSync.Edge.Tests.Installer;
using FileSync.Tray.Icons;
using FileSync.Tray.State;

namespace FileSync.Edge.Tests.Tray;

/// <summary>The tray's own icons: one per state, every size, told apart by their pixels; the README's picture of them.</summary>
public sealed class TrayIconArtTests
{
    private const string SheetPath = "src/FileSync.Tray/docs/tray-icons.png";

    [Fact]
    public void Pixels_EveryStateAtEverySize_AreSquareDistinctAndTransparentInTheCorners()
    {
        foreach (var size in StateIconArt.PixmapSizes)
        {
            var drawn = IconSheet
                .Order.Select(kind => (kind, pixels: StateIconArt.Pixels(kind, size)))
                .ToList();
            foreach (var (kind, pixels) in drawn)
            {
                Assert.Equal(size * size, pixels.Length);
                Assert.Equal(0u, pixels[0] >> 24); // top-left corner: transparent
                Assert.Equal(0u, pixels[^1] >> 24);
                // The hollow rings (no agent, starting) cover less than the discs.
                Assert.True(
                    pixels.Count(p => p >> 24 == 0xFF) > size * size / 8,
                    $"{kind} at {size} px has too few opaque pixels to be seen"
                );
            }
            for (var i = 0; i < drawn.Count; i++)
            {
                for (var j = i + 1; j < drawn.Count; j++)
                {
                    var differing = drawn[i]
                        .pixels.Zip(drawn[j].pixels)
                        .Count(pair => pair.First != pair.Second);
                    Assert.True(
                        differing > size * size / 10,
                        $"{drawn[i].kind} and {drawn[j].kind} at {size} px differ in only {differing} pixels"
                    );
                }
            }
        }
    }

    [Fact]
    public void NetworkOrderArgb_IsAlphaRedGreenBlue()
    {
        var pixels = StateIconArt.Pixels(TrayKind.Error, 22);
        var bytes = StateIconArt.NetworkOrderArgb(TrayKind.Error, 22);
        Assert.Equal(22 * 22 * 4, bytes.Length);
        var centre = 11 * 22 + 5; // on the red disc, beside the "!"
        Assert.Equal(
            pixels[centre],
            BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(centre * 4))
        );
        Assert.Equal(0xFF, bytes[centre * 4]); // opaque
        Assert.True(bytes[centre * 4 + 1] > 0xC0 && bytes[centre * 4 + 2] < 0x60); // red
    }

    /// <summary>
    /// The README shows <c>src/FileSync.Tray/docs/tray-icons.png</c>; it must be this art. Set
    /// FILESYNC_WRITE_TRAY_ICONS=1 to write it anew after changing the art.
    /// </summary>
    [Fact]
    public void Sheet_InTheReadme_IsTheCurrentArt()
    {
        var (width, height, rgba) = IconSheet.Render();
        var path = RepositoryFiles.PathOf(SheetPath);
        if (Environment.GetEnvironmentVariable("FILESYNC_WRITE_TRAY_ICONS") == "1")
        {
            File.WriteAllBytes(path, IconSheet.Png(width, height, rgba));
        }
        Assert.True(
            File.Exists(path),
            $"{SheetPath} is missing (FILESYNC_WRITE_TRAY_ICONS=1 writes it)"
        );
        var png = File.ReadAllBytes(path);
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
        // Same pixels: the file's compressed data decodes to this rendering.
        Assert.Equal(rgba, DecodeRgba(png, width, height));
    }

    /// <summary>The pixels of a PNG written by <see cref="IconSheet.Png"/> (one IDAT, no filters).</summary>
    private static byte[] DecodeRgba(byte[] png, int width, int height)
    {
        var offset = 8;
        while (offset < png.Length)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(offset));
            var type = System.Text.Encoding.ASCII.GetString(png, offset + 4, 4);
            if (type == "IDAT")
            {
                using var zlib = new System.IO.Compression.ZLibStream(
                    new MemoryStream(png, offset + 8, length),
                    System.IO.Compression.CompressionMode.Decompress
                );
                using var raw = new MemoryStream();
                zlib.CopyTo(raw);
                var rows = raw.ToArray();
                var rgba = new byte[width * height * 4];
                for (var y = 0; y < height; y++)
                {
                    Assert.Equal(0, rows[y * (width * 4 + 1)]);
                    Array.Copy(rows, y * (width * 4 + 1) + 1, rgba, y * width * 4, width * 4);
                }
                return rgba;
            }
            offset += 12 + length;
        }
        throw new InvalidDataException("no IDAT chunk");
    }
}
