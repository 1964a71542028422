namespace FileSync.Edge.Filtering;

public static class BinaryContent
{
    public const int SniffLength = 8192;
    public static bool LooksBinary(ReadOnlySpan<byte> content) => content[..Math.Min(content.Length, SniffLength)].Contains((byte)0);
}
