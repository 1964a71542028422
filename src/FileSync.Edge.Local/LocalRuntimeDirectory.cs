using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace FileSync.Edge.Local;

/// <summary>
/// Makes sure the socket folder is this user's own: a real folder (not a link), owned by the
/// effective user, mode 0700 (created so, or tightened when it is ours). Anything else is refused, so
/// nobody else can put a socket in our place or read ours.
/// </summary>
[UnsupportedOSPlatform("windows")]
public static partial class LocalRuntimeDirectory
{
    private const UnixFileMode OwnerOnly =
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    /// <summary>Creates <paramref name="directory"/> if needed; null when it is safe, else a one-line reason.</summary>
    public static string? Ensure(string directory)
    {
        try
        {
            if (!System.IO.Directory.Exists(directory) && !File.Exists(directory))
            {
                System.IO.Directory.CreateDirectory(directory, OwnerOnly);
            }
            var info = new DirectoryInfo(directory);
            if (info.LinkTarget is not null)
            {
                return $"'{directory}' is a symbolic link; refusing to use it for the control socket";
            }
            if (!info.Exists)
            {
                return $"'{directory}' exists and is not a folder";
            }
            if (OwnerOf(directory) is { } owner && owner != EffectiveUserId())
            {
                return $"'{directory}' belongs to another user (uid {owner}); refusing to use it for the control socket";
            }
            if (info.UnixFileMode != OwnerOnly)
            {
                File.SetUnixFileMode(directory, OwnerOnly);
            }
            return null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return $"cannot prepare '{directory}' for the control socket: {ex.Message}";
        }
    }

    /// <summary>The owner's uid of <paramref name="path"/> (not following a link); null where it cannot be told (not Linux).</summary>
    public static unsafe uint? OwnerOf(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            // macOS: the folder lives in the per-user $TMPDIR (or XDG_RUNTIME_DIR), which only its user can enter.
            return null;
        }
        var buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxUid, buffer) != 0)
        {
            throw new IOException(
                $"cannot stat '{path}': {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
            );
        }
        return *(uint*)(buffer + UidOffset);
    }

    /// <summary>True when <paramref name="path"/> is a socket (not following a link); elsewhere than Linux: anything but a folder.</summary>
    public static unsafe bool IsSocket(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return File.Exists(path);
        }
        var buffer = stackalloc byte[StatxSize];
        if (Statx(AtFdCwd, path, AtSymlinkNoFollow, StatxType, buffer) != 0)
        {
            return false;
        }
        return (*(ushort*)(buffer + ModeOffset) & 0xF000) == 0xC000;
    }

    /// <summary>The process's effective user id.</summary>
    public static uint EffectiveUserId() => GetEffectiveUserId();

    private const int AtFdCwd = -100;
    private const int AtSymlinkNoFollow = 0x100;
    private const uint StatxUid = 0x8;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28;
    private const int StatxSize = 256;
    private const int UidOffset = 20;

    [LibraryImport(
        "libc",
        EntryPoint = "statx",
        SetLastError = true,
        StringMarshalling = StringMarshalling.Utf8
    )]
    private static unsafe partial int Statx(
        int directoryFd,
        string path,
        int flags,
        uint mask,
        byte* buffer
    );

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();
}
