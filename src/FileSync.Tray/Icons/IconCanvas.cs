namespace FileSync.Tray.Icons;

/// <summary>
/// A square of pixels painted shape by shape, back to front, each shape given as "is this point inside"
/// in unit coordinates (0..1 across, top left at 0,0). Every pixel is sampled 4×4 times, so edges are
/// smooth at 16 px too.
/// </summary>
internal sealed class IconCanvas
{
    private const int Samples = 4;

    private readonly int _size;

    // Premultiplied red, green, blue and alpha, 0..1.
    private readonly double[] _red;
    private readonly double[] _green;
    private readonly double[] _blue;
    private readonly double[] _alpha;

    public IconCanvas(int size)
    {
        _size = size;
        _red = new double[size * size];
        _green = new double[size * size];
        _blue = new double[size * size];
        _alpha = new double[size * size];
    }

    /// <summary>Paints colour <paramref name="rgb"/> (0xRRGGBB) at <paramref name="opacity"/> where <paramref name="inside"/> holds.</summary>
    public void Fill(Func<double, double, bool> inside, uint rgb, double opacity = 1)
    {
        var red = ((rgb >> 16) & 0xFF) / 255.0;
        var green = ((rgb >> 8) & 0xFF) / 255.0;
        var blue = (rgb & 0xFF) / 255.0;
        for (var y = 0; y < _size; y++)
        {
            for (var x = 0; x < _size; x++)
            {
                var hits = 0;
                for (var sy = 0; sy < Samples; sy++)
                {
                    for (var sx = 0; sx < Samples; sx++)
                    {
                        if (
                            inside(
                                (x + (sx + 0.5) / Samples) / _size,
                                (y + (sy + 0.5) / Samples) / _size
                            )
                        )
                        {
                            hits++;
                        }
                    }
                }
                if (hits == 0)
                {
                    continue;
                }
                var cover = opacity * hits / (Samples * Samples);
                var i = y * _size + x;
                _red[i] = red * cover + _red[i] * (1 - cover);
                _green[i] = green * cover + _green[i] * (1 - cover);
                _blue[i] = blue * cover + _blue[i] * (1 - cover);
                _alpha[i] = cover + _alpha[i] * (1 - cover);
            }
        }
    }

    /// <summary>The pixels, top row first, as 0xAARRGGBB (straight, not premultiplied, alpha).</summary>
    public uint[] ToArgb()
    {
        var pixels = new uint[_size * _size];
        for (var i = 0; i < pixels.Length; i++)
        {
            var alpha = _alpha[i];
            if (alpha <= 0)
            {
                continue;
            }
            pixels[i] =
                (Channel(alpha) << 24)
                | (Channel(_red[i] / alpha) << 16)
                | (Channel(_green[i] / alpha) << 8)
                | Channel(_blue[i] / alpha);
        }
        return pixels;

        static uint Channel(double value) => (uint)Math.Clamp(Math.Round(value * 255), 0, 255);
    }
}
