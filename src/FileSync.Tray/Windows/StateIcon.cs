namespace FileSync.Tray.Windows;

/// <summary>The pixels of the Windows tray icon: a filled dot in the state's colour on a transparent square (pure; drawn with CreateIcon).</summary>
public static class StateIcon
{
    public const int Size = 16;

    /// <summary>32-bit BGRA pixels, top row first: the colour <paramref name="rgb"/> inside a circle, transparent outside.</summary>
    public static uint[] Pixels(uint rgb, int size = Size)
    {
        var pixels = new uint[size * size];
        var center = (size - 1) / 2.0;
        var radius = size / 2.0 - 0.5;
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                var dx = x - center;
                var dy = y - center;
                if (dx * dx + dy * dy <= radius * radius)
                {
                    // BGRA in memory is 0xAARRGGBB as a little-endian uint.
                    pixels[y * size + x] = 0xFF000000 | (rgb & 0xFFFFFF);
                }
            }
        }
        return pixels;
    }
}
