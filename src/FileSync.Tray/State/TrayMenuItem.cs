namespace FileSync.Tray.State;

/// <summary>One entry of the tray menu; <see cref="Id"/> is stable for the same entry across updates.</summary>
public sealed record TrayMenuItem(
    int Id,
    string Label,
    TrayAction Action,
    bool Enabled = true,
    string? Argument = null
)
{
    public bool IsSeparator => Label.Length == 0;

    public static TrayMenuItem Separator(int id) => new(id, "", TrayAction.None, Enabled: false);
}
