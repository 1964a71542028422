using System.Collections.Concurrent;
using FileSync.Tray.State;
using static FileSync.Tray.Icons.Shapes;

namespace FileSync.Tray.Icons;

/// <summary>
/// The project's own tray icons, one per <see cref="TrayKind"/>, told apart by colour and by shape: a green
/// disc with a check (in sync), a blue disc with two turning arrows (syncing), a grey disc with pause bars
/// (paused), an amber disc with three dots (offline, reconnecting), a red disc with "!" (needs attention),
/// a hollow grey ring with a cross (agent not running) and a hollow grey ring with a dot (starting). Every
/// shape has a dark rim, so it stands out on light and dark panels alike. Drawn in code at any size
/// (Linux sends <see cref="PixmapSizes"/>, Windows the small-icon size).
/// </summary>
public static class StateIconArt
{
    /// <summary>The sizes sent as a StatusNotifierItem's <c>IconPixmap</c> (the panel picks the nearest).</summary>
    public static readonly IReadOnlyList<int> PixmapSizes = [16, 22, 24, 32, 48];

    private const uint Rim = 0x1A1A1A;
    private const double RimOpacity = 0.75;
    private const uint White = 0xFFFFFF;
    private const uint Hollow = 0xA6A6A6;

    private static readonly ConcurrentDictionary<(TrayKind, int), uint[]> s_drawn = new();
    private static readonly ConcurrentDictionary<(TrayKind, int), byte[]> s_networkOrder = new();

    /// <summary>The colour of a state's disc (0xRRGGBB).</summary>
    public static uint Colour(TrayKind kind) =>
        kind switch
        {
            TrayKind.Synced => 0x2E7D32,
            TrayKind.Syncing => 0x1565C0,
            TrayKind.Paused => 0x616161,
            TrayKind.Offline => 0xE08600,
            TrayKind.Error => 0xD32F2F,
            TrayKind.NoAgent => 0x8A8A8A,
            _ => Hollow,
        };

    /// <summary>The icon of <paramref name="kind"/>, <paramref name="size"/> px square, top row first, as 0xAARRGGBB (straight alpha).</summary>
    public static uint[] Pixels(TrayKind kind, int size) =>
        s_drawn.GetOrAdd((kind, size), static key => Draw(key.Item1, key.Item2));

    /// <summary>The pixels as bytes A, R, G, B per pixel (network byte order), as <c>IconPixmap</c> carries them.</summary>
    public static byte[] NetworkOrderArgb(TrayKind kind, int size) =>
        s_networkOrder.GetOrAdd(
            (kind, size),
            static key => ToNetworkOrder(Pixels(key.Item1, key.Item2))
        );

    private static byte[] ToNetworkOrder(uint[] pixels)
    {
        var bytes = new byte[pixels.Length * 4];
        for (var i = 0; i < pixels.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(
                bytes.AsSpan(i * 4),
                pixels[i]
            );
        }
        return bytes;
    }

    private static uint[] Draw(TrayKind kind, int size)
    {
        var canvas = new IconCanvas(size);
        switch (kind)
        {
            case TrayKind.NoAgent:
                HollowRing(canvas);
                canvas.Fill(
                    Union(Stroke(0.37, 0.37, 0.63, 0.63, 0.1), Stroke(0.63, 0.37, 0.37, 0.63, 0.1)),
                    Rim,
                    RimOpacity
                );
                canvas.Fill(
                    Union(
                        Stroke(0.37, 0.37, 0.63, 0.63, 0.06),
                        Stroke(0.63, 0.37, 0.37, 0.63, 0.06)
                    ),
                    Hollow
                );
                break;
            case TrayKind.Starting:
                HollowRing(canvas);
                canvas.Fill(Disc(0.5, 0.5, 0.13), Rim, RimOpacity);
                canvas.Fill(Disc(0.5, 0.5, 0.085), Hollow);
                break;
            default:
                canvas.Fill(Disc(0.5, 0.5, 0.48), Rim, RimOpacity);
                canvas.Fill(Disc(0.5, 0.5, 0.43), Colour(kind));
                canvas.Fill(Glyph(kind), White);
                break;
        }
        return canvas.ToArgb();
    }

    private static void HollowRing(IconCanvas canvas)
    {
        canvas.Fill(Ring(0.27, 0.48), Rim, RimOpacity);
        canvas.Fill(Ring(0.31, 0.44), Hollow);
    }

    /// <summary>The white sign on a filled disc.</summary>
    private static Func<double, double, bool> Glyph(TrayKind kind) =>
        kind switch
        {
            TrayKind.Synced => Union(
                Stroke(0.28, 0.51, 0.43, 0.66, 0.07),
                Stroke(0.43, 0.66, 0.72, 0.35, 0.07)
            ),
            TrayKind.Syncing => Union(
                Sector(Ring(0.16, 0.28), 205, 320),
                ArrowHead(320),
                Sector(Ring(0.16, 0.28), 25, 140),
                ArrowHead(140)
            ),
            TrayKind.Paused => Union(
                Rectangle(0.33, 0.29, 0.44, 0.71),
                Rectangle(0.56, 0.29, 0.67, 0.71)
            ),
            TrayKind.Offline => Union(
                Disc(0.28, 0.5, 0.075),
                Disc(0.5, 0.5, 0.075),
                Disc(0.72, 0.5, 0.075)
            ),
            _ => Union(Stroke(0.5, 0.26, 0.5, 0.53, 0.075), Disc(0.5, 0.72, 0.08)),
        };

    /// <summary>An arrow head continuing a clockwise arc that ends at <paramref name="degrees"/>.</summary>
    private static Func<double, double, bool> ArrowHead(double degrees)
    {
        return Triangle(Polar(0.1, degrees), Polar(0.34, degrees), Polar(0.22, degrees + 38));

        static (double X, double Y) Polar(double radius, double degrees) =>
            (
                0.5 + radius * Math.Cos(degrees * Math.PI / 180),
                0.5 + radius * Math.Sin(degrees * Math.PI / 180)
            );
    }
}
