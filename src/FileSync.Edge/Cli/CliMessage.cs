namespace FileSync.Edge.Cli;

/// <summary>
/// The one shape of what <c>filesync-edge</c> (the agent and the local commands) writes to stderr about a
/// problem: one line, <c>filesync-edge: error: …</c> or <c>filesync-edge: warning: …</c>.
/// </summary>
public static class CliMessage
{
    /// <summary>The line for a problem that ends the command.</summary>
    public static string Error(string message) => $"filesync-edge: error: {message}";

    /// <summary>The line for a problem the command goes on despite.</summary>
    public static string Warning(string message) => $"filesync-edge: warning: {message}";
}
