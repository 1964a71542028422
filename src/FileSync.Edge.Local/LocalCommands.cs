namespace FileSync.Edge.Local;

/// <summary>The commands of the local control protocol.</summary>
public static class LocalCommands
{
    /// <summary>Is this an agent? Answers with the status (used to detect a live endpoint).</summary>
    public const string Ping = "ping";
    public const string Status = "status";
    public const string Pause = "pause";
    public const string Resume = "resume";
    public const string Resync = "resync";
    public const string Add = "add";
    public const string Remove = "remove";
    public const string Stop = "stop";
    public const string Logs = "logs";
}
