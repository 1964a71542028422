namespace FileSync.Tray.Icons;

/// <summary>Shapes for <see cref="IconCanvas"/>: "inside" tests in unit coordinates (0..1, y down).</summary>
internal static class Shapes
{
    public static Func<double, double, bool> Disc(double cx, double cy, double radius) =>
        (x, y) => Square(x - cx) + Square(y - cy) <= radius * radius;

    public static Func<double, double, bool> Ring(double inner, double outer) =>
        (x, y) =>
            Square(x - 0.5) + Square(y - 0.5) is var d && d <= outer * outer && d >= inner * inner;

    public static Func<double, double, bool> Rectangle(
        double left,
        double top,
        double right,
        double bottom
    ) => (x, y) => x >= left && x <= right && y >= top && y <= bottom;

    /// <summary>A line from (x1, y1) to (x2, y2) with round ends, <paramref name="halfWidth"/> either side.</summary>
    public static Func<double, double, bool> Stroke(
        double x1,
        double y1,
        double x2,
        double y2,
        double halfWidth
    ) =>
        (x, y) =>
        {
            var dx = x2 - x1;
            var dy = y2 - y1;
            var t = Math.Clamp(((x - x1) * dx + (y - y1) * dy) / (dx * dx + dy * dy), 0, 1);
            return Square(x - (x1 + t * dx)) + Square(y - (y1 + t * dy)) <= halfWidth * halfWidth;
        };

    public static Func<double, double, bool> Triangle(
        (double X, double Y) a,
        (double X, double Y) b,
        (double X, double Y) c
    ) =>
        (x, y) =>
        {
            var d1 = Side(x, y, a, b);
            var d2 = Side(x, y, b, c);
            var d3 = Side(x, y, c, a);
            return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
        };

    /// <summary>Points of <paramref name="shape"/> whose angle around the centre (degrees, clockwise from 3 o'clock) is in [from, to).</summary>
    public static Func<double, double, bool> Sector(
        Func<double, double, bool> shape,
        double from,
        double to
    ) =>
        (x, y) =>
        {
            var angle = Math.Atan2(y - 0.5, x - 0.5) * 180 / Math.PI;
            angle = (angle + 360) % 360;
            return shape(x, y) && angle >= from && angle < to;
        };

    public static Func<double, double, bool> Union(params Func<double, double, bool>[] shapes) =>
        (x, y) => shapes.Any(s => s(x, y));

    private static double Side(
        double x,
        double y,
        (double X, double Y) a,
        (double X, double Y) b
    ) => (x - b.X) * (a.Y - b.Y) - (a.X - b.X) * (y - b.Y);

    private static double Square(double value) => value * value;
}
