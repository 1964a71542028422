using System.Reflection;
using System.Text.Json;
using FileSync.Edge.Control;
using FileSync.Edge.Uplink;
using FileSync.Edge.Workspace;

namespace FileSync.Edge.Configuration;

/// <summary>
/// The keys a config file may hold: <c>Workspaces</c>, <c>Logging</c> and the options sections, whose
/// keys are the settable properties of their options classes. Anything else is reported, one line per
/// key ("config: unknown key Uplink:Proxyy (ignored)"), instead of being silently ignored.
/// </summary>
public static class ConfigFileKeys
{
    /// <summary>
    /// Top-level keys besides the options sections: the workspace list, the host's logging levels, and the
    /// tray's settings (<c>Tray:Notifications</c>, read by filesync-tray, not by the agent).
    /// </summary>
    private static readonly string[] s_otherTopLevel =
    [
        AgentConfigFile.WorkspacesKey,
        "Logging",
        "Tray",
    ];

    private static readonly Dictionary<string, HashSet<string>> s_sections = new(
        StringComparer.OrdinalIgnoreCase
    )
    {
        [UplinkOptions.SectionName] = Settable(typeof(UplinkOptions).GetProperties()),
        [SyncOptions.SectionName] = Settable(typeof(SyncOptions).GetProperties()),
        [ControlOptions.SectionName] = Settable(typeof(ControlOptions).GetProperties()),
    };

    private static HashSet<string> Settable(PropertyInfo[] properties) =>
        new(
            properties.Where(p => p.CanWrite && p.SetMethod!.IsPublic).Select(p => p.Name),
            StringComparer.OrdinalIgnoreCase
        );

    /// <summary>The keys of <paramref name="root"/> (a JSON object) that nothing reads, as <c>Section:Key</c>.</summary>
    public static IReadOnlyList<string> Unknown(JsonElement root)
    {
        var unknown = new List<string>();
        foreach (var property in root.EnumerateObject())
        {
            if (s_sections.TryGetValue(property.Name, out var known))
            {
                if (property.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                unknown.AddRange(
                    property
                        .Value.EnumerateObject()
                        .Where(key => !known.Contains(key.Name))
                        .Select(key => $"{property.Name}:{key.Name}")
                );
            }
            else if (!s_otherTopLevel.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
            {
                unknown.Add(property.Name);
            }
        }
        return unknown;
    }
}
