namespace FileSync.Edge.Hosting;

/// <summary>How the agent's log lines look on its console.</summary>
public enum ConsoleStyle
{
    /// <summary>Short lines for a person at a terminal (<see cref="ShortConsoleFormatter"/>).</summary>
    Short,

    /// <summary>One line per entry with level, category and event id (redirected output, files, CI).</summary>
    Full,

    /// <summary>Journal priorities instead of timestamps (running as a systemd service).</summary>
    Journal,
}
