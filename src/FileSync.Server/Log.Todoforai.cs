using Microsoft.Extensions.Logging;

namespace FileSync.Server;

/// <summary>Log messages of the todoforai dialect's own behaviour (event ids 1080–1089).</summary>
internal static partial class Log
{
    [LoggerMessage(
        1080,
        LogLevel.Information,
        "Edge {EdgeId} announced {Announced} workspace roots; {Known} known for it now",
        EventName = "RootsAnnounced"
    )]
    public static partial void RootsAnnounced(
        ILogger logger,
        string edgeId,
        int announced,
        int known
    );

    [LoggerMessage(
        1081,
        LogLevel.Information,
        "Edge {EdgeId} offered a wrong API key: answered ERROR \"Invalid API key\" and close {CloseCode}",
        EventName = "WrongKeyRefused"
    )]
    public static partial void WrongKeyRefused(ILogger logger, string edgeId, int closeCode);
}
