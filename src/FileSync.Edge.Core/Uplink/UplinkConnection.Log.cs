using Microsoft.Extensions.Logging;

namespace FileSync.Edge.Uplink;

public sealed partial class UplinkConnection
{
    // Event ids 100-199: uplink. Never log the API key or file contents.
    private static partial class Log
    {
        [LoggerMessage(
            100,
            LogLevel.Information,
            "Connected to {Server} as {EdgeId} (capabilities: {Capabilities})",
            EventName = "Connected"
        )]
        public static partial void Connected(
            ILogger logger,
            string server,
            string edgeId,
            string capabilities
        );

        // The first failure of an outage (or a new cause) at Warning, the same one repeating at Information.
        [LoggerMessage(
            EventId = 102,
            Message = "{What} {Server}: {Reason}; retrying in {Seconds:F1} s (attempt {Attempt})",
            EventName = "Reconnecting"
        )]
        public static partial void Reconnecting(
            ILogger logger,
            LogLevel level,
            string what,
            string server,
            string reason,
            double seconds,
            int attempt
        );

        [LoggerMessage(
            101,
            LogLevel.Information,
            "The server {Server} did not read the identity header; connecting again with the identity in the URL (?fingerprint=), as the todoforai backend wants it",
            EventName = "IdentityInQuery"
        )]
        public static partial void IdentityInQuery(ILogger logger, string server);

        [LoggerMessage(
            103,
            LogLevel.Debug,
            "The server {Server} rejected the API key; not retrying",
            EventName = "AuthenticationRejected"
        )]
        public static partial void AuthenticationRejected(ILogger logger, string server);

        // Frames that cannot be accepted after the handshake are answered (and logged) by the control stage;
        // this line is only for a bad handshake, when there is nobody to answer yet.
        [LoggerMessage(
            104,
            LogLevel.Warning,
            "Ignored a malformed handshake from the server: {Reason}",
            EventName = "MalformedFrame"
        )]
        public static partial void MalformedFrame(ILogger logger, string reason);

        [LoggerMessage(
            110,
            LogLevel.Warning,
            "The API key is not a valid WebSocket subprotocol token; it is sent as the Authorization header only",
            EventName = "KeyNotASubprotocol"
        )]
        public static partial void KeyNotASubprotocol(ILogger logger);

        [LoggerMessage(
            106,
            LogLevel.Warning,
            "The server reported an error ({Code}): {Message}",
            EventName = "ServerError"
        )]
        public static partial void ServerError(ILogger logger, string code, string message);

        [LoggerMessage(107, LogLevel.Debug, "Send failed: {Reason}", EventName = "SendFailed")]
        public static partial void SendFailed(ILogger logger, string reason);

        [LoggerMessage(
            108,
            LogLevel.Information,
            "The server closed the connection ({Status}) {Description}",
            EventName = "Closed"
        )]
        public static partial void Closed(ILogger logger, string status, string description);

        [LoggerMessage(
            111,
            LogLevel.Information,
            "Connecting to {Server} now, without waiting out the backoff (a resync was asked for)",
            EventName = "ReconnectingNow"
        )]
        public static partial void ReconnectingNow(ILogger logger, string server);

        [LoggerMessage(
            150,
            LogLevel.Information,
            "Connecting through the proxy {Proxy} (from {Source})",
            EventName = "UsingProxy"
        )]
        public static partial void UsingProxy(ILogger logger, string proxy, string source);

        [LoggerMessage(
            151,
            LogLevel.Information,
            "Not using the proxy {Proxy} (from {Source}) for {Host}: {NoProxySource} excludes it",
            EventName = "ProxyBypassed"
        )]
        public static partial void ProxyBypassed(
            ILogger logger,
            string proxy,
            string source,
            string host,
            string noProxySource
        );
    }
}
