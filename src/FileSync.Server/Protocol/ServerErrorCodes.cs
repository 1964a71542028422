namespace FileSync.Server.Protocol;

/// <summary>Error codes only the server sends (Core's <c>ErrorCodes</c> has the shared ones).</summary>
internal static class ServerErrorCodes
{
    /// <summary>The mirror could not be written (I/O error on the server).</summary>
    public const string WriteFailed = "write_failed";
}
