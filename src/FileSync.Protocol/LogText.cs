namespace FileSync.Protocol;

/// <summary>Makes text received from the other side safe for one log line: control characters replaced, length capped.</summary>
public static class LogText
{
    public const int MaxLength = 200;

    public static string Clean(string text)
    {
        var span = text.Length > MaxLength ? text.AsSpan(0, MaxLength) : text.AsSpan();
        if (
            !span.ContainsAnyInRange('\0', '\u001f')
            && !span.Contains('\u007f')
            && span.Length == text.Length
        )
        {
            return text;
        }
        var clean = string.Create(
            span.Length,
            span.ToString(),
            static (buffer, source) =>
            {
                for (var i = 0; i < source.Length; i++)
                {
                    buffer[i] = char.IsControl(source[i]) ? '?' : source[i];
                }
            }
        );
        return text.Length > MaxLength ? clean + "…" : clean;
    }
}
