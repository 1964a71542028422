namespace FileSync.Edge.Local;

/// <summary>A line of the local protocol exceeded its cap.</summary>
public sealed class LineTooLongException(int maxBytes)
    : IOException($"a line is longer than {maxBytes} bytes")
{
    public int MaxBytes { get; } = maxBytes;
}
