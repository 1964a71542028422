using System.Text.Json;

namespace FileSync.Tray.Notifications;

/// <summary>
/// <c>Tray:Notifications</c> in the agent's config file (<c>{"Tray": {"Notifications": false}}</c>) turns the
/// tray's desktop notifications off; on by default. Read when a notification is due, so a change applies
/// without a restart.
/// </summary>
public static class NotificationSettings
{
    private static readonly JsonDocumentOptions s_options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    public static bool Enabled(string configPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(configPath), s_options);
            if (
                Property(document.RootElement, "Tray") is { ValueKind: JsonValueKind.Object } tray
                && Property(tray, "Notifications") is { } value
            )
            {
                return value.ValueKind switch
                {
                    JsonValueKind.False => false,
                    JsonValueKind.String => !string.Equals(
                        value.GetString(),
                        "false",
                        StringComparison.OrdinalIgnoreCase
                    ),
                    _ => true,
                };
            }
        }
        catch (Exception ex)
            when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // No readable config: the default.
        }
        return true;
    }

    /// <summary>A property by name, ignoring case (as the agent's configuration binder does).</summary>
    private static JsonElement? Property(JsonElement element, string name)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            return null;
        }
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }
        return null;
    }
}
