namespace FileSync.Server;

/// <summary>Makes text that came from an edge safe to put in a log line.</summary>
internal static class LogText
{
    private const int MaxLength = 200;

    /// <summary>Replaces control characters (no forged log lines) and truncates.</summary>
    public static string Sanitize(string text)
    {
        var truncated = text.Length > MaxLength ? text[..MaxLength] + "…" : text;
        return string.Create(
            truncated.Length,
            truncated,
            static (span, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    span[i] = char.IsControl(source[i]) ? '?' : source[i];
                }
            }
        );
    }
}
