using System.Diagnostics.CodeAnalysis;
using FileSync.Protocol;
using FileSync.Server.Protocol;

namespace FileSync.Server.Mirror;

/// <summary>Outcome of one mirror operation: success, or an error code for the <c>error</c> reply.</summary>
internal readonly record struct MirrorResult(string? ErrorCode, string? ErrorMessage)
{
    public static MirrorResult Ok => default;

    [MemberNotNullWhen(false, nameof(ErrorCode), nameof(ErrorMessage))]
    public bool Succeeded => ErrorCode is null;

    public static MirrorResult Forbidden(string reason) => new(ErrorCodes.ForbiddenPath, reason);

    /// <summary>This server cannot store a file under that name (a rule of its OS); the reason names the rule.</summary>
    public static MirrorResult UnsupportedName(string reason) =>
        new(ErrorCodes.UnsupportedName, reason);

    public static MirrorResult WriteFailed(string reason) => new(ErrorCodes.WriteFailed, reason);
}
