namespace FileSync.Tray.State;

/// <summary>
/// How the icon looks for one agent state, on every platform: the StatusNotifierItem's <c>Status</c>
/// (<c>Active</c>, <c>Passive</c>, <c>NeedsAttention</c>) and freedesktop <c>IconName</c>, a title and a
/// tooltip text, and the colour of the dot drawn on Windows.
/// </summary>
public sealed record TrayView(
    TrayKind Kind,
    string Status,
    string IconName,
    string Title,
    string Text,
    uint Rgb
)
{
    /// <summary>One line for a tooltip that has room for only one (Windows: 127 characters).</summary>
    public string ShortText(int maxLength)
    {
        var text = $"{Title}: {Text.Split('\n', 2)[0]}";
        return text.Length <= maxLength ? text : text[..(maxLength - 1)] + "…";
    }
}
