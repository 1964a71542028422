namespace FileSync.Protocol;

/// <summary>
/// What an edge can do beyond the JSON protocol, told to the server in one request header of the
/// WebSocket upgrade (a comma-separated list of <see cref="Capabilities"/> names). A server that
/// does not know the header ignores it and the edge speaks JSON.
/// </summary>
public static class EdgeCapabilities
{
    public const string HeaderName = "FileSync-Capabilities";

    /// <summary>The names in a header value (case-sensitive, whitespace trimmed, empty entries dropped).</summary>
    public static IReadOnlySet<string> Parse(IEnumerable<string?> headerValues)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var value in headerValues)
        {
            foreach (
                var name in (value ?? "").Split(
                    ',',
                    StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries
                )
            )
            {
                if (names.Count < 32 && name.Length <= 64)
                {
                    names.Add(name);
                }
            }
        }
        return names;
    }
}
