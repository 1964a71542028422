using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Local;

public sealed partial class LocalControlServer
{
    // Event ids 500-549: local control endpoint.
    private static partial class Log
    {
        [LoggerMessage(
            500,
            LogLevel.Debug,
            "Local control endpoint listening at {Address}",
            EventName = "LocalListening"
        )]
        public static partial void Listening(ILogger logger, string address);

        [LoggerMessage(
            501,
            LogLevel.Debug,
            "Local control: accepting a connection failed: {Reason}",
            EventName = "LocalAcceptFailed"
        )]
        public static partial void AcceptFailed(ILogger logger, string reason);

        [LoggerMessage(
            502,
            LogLevel.Debug,
            "Local control: a connection ended with an error: {Reason}",
            EventName = "LocalConnectionFailed"
        )]
        public static partial void ConnectionFailed(ILogger logger, string reason);

        [LoggerMessage(
            503,
            LogLevel.Warning,
            "Local control: '{Command}' failed: {Reason}",
            EventName = "LocalRequestFailed"
        )]
        public static partial void RequestFailed(ILogger logger, string command, string reason);
    }
}
