using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Hosting;

/// <summary>What the host says about its configuration. Event ids 900-919.</summary>
internal static partial class AgentHostLog
{
    /// <summary>One warning per key of the config file that nothing reads.</summary>
    public static void WarnUnknownKeys(ILoggerFactory loggers, IReadOnlyList<string> keys)
    {
        if (keys.Count == 0)
        {
            return;
        }
        var logger = loggers.CreateLogger("FileSync.Edge.Configuration");
        foreach (var key in keys)
        {
            UnknownKey(logger, key);
        }
    }

    [LoggerMessage(
        900,
        LogLevel.Warning,
        "config: unknown key {Key} (ignored)",
        EventName = "UnknownConfigKey"
    )]
    private static partial void UnknownKey(ILogger logger, string key);
}
