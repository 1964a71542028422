using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Local;

public sealed partial class LocalCommandHandler
{
    // Event ids 550-599: local commands.
    private static partial class Log
    {
        [LoggerMessage(
            550,
            LogLevel.Information,
            "Stopping: asked to by a local 'stop' command",
            EventName = "LocalStopRequested"
        )]
        public static partial void StopRequested(ILogger logger);
    }
}
