using FileSync.Edge.Workspace;

namespace FileSync.Edge.Control;

/// <summary>What the server may ask of the agent (config section <c>Control</c>).</summary>
public sealed class ControlOptions
{
    public const string SectionName = "Control";

    /// <summary>
    /// Folders under which the server may choose workspaces (<c>edge:config_update</c>,
    /// <c>workspace:sync_start</c>). Empty: the user's home directory. The parents of the workspaces
    /// given on the command line are always allowed too (<see cref="CommandLineRoots"/>).
    /// </summary>
    public List<string> AllowedRoots { get; set; } = [];

    /// <summary>The workspaces given on the command line (set by the host, not by configuration).</summary>
    public List<string> CommandLineRoots { get; set; } = [];

    /// <summary>The folders the server may choose workspaces under, normalised.</summary>
    public IReadOnlyList<string> EffectiveAllowedRoots()
    {
        var roots = new List<string>();
        if (AllowedRoots.Count == 0)
        {
            var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            if (!string.IsNullOrEmpty(home))
            {
                roots.Add(home);
            }
        }
        roots.AddRange(AllowedRoots.Where(r => !string.IsNullOrWhiteSpace(r)));
        roots.AddRange(CommandLineRoots.Select(Path.GetDirectoryName).OfType<string>());
        var normalised = new List<string>();
        foreach (var root in roots)
        {
            try
            {
                var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
                // Both the folder as named and the folder it really is (a home reached through a link).
                foreach (var form in new[] { full, LinkResolver.Resolve(full, out _) })
                {
                    if (form is not null && !normalised.Contains(form, PathComparer.Default))
                    {
                        normalised.Add(form);
                    }
                }
            }
            catch (Exception ex)
                when (ex is ArgumentException or NotSupportedException or PathTooLongException)
            {
                // A malformed entry allows nothing.
            }
        }
        return normalised;
    }
}
