using FileSync.Tray.Icons;
using FileSync.Tray.State;

namespace FileSync.Tray.Windows;

/// <summary>The pixels of the Windows tray icon: the same art as on Linux (<see cref="StateIconArt"/>), laid out for CreateIcon.</summary>
public static class StateIcon
{
    /// <summary>The size used when the system does not say (SM_CXSMICON at 100 %).</summary>
    public const int Size = 16;

    /// <summary>
    /// 32-bit pixels, top row first, for CreateIcon's colour bitmap: BGRA bytes in memory, which is
    /// 0xAARRGGBB as a little-endian uint, with straight alpha.
    /// </summary>
    public static uint[] Pixels(TrayKind kind, int size = Size) => StateIconArt.Pixels(kind, size);

    /// <summary>CreateIcon's AND mask: one bit a pixel, rows padded to 16 bits; all zero (the alpha channel decides).</summary>
    public static byte[] EmptyMask(int size) => new byte[(size + 15) / 16 * 2 * size];
}
