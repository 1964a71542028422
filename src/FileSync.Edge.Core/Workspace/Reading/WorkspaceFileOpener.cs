using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using Microsoft.Win32.SafeHandles;

namespace FileSync.Edge.Workspace;

/// <summary>What <see cref="WorkspaceFileOpener.Open"/> found.</summary>
public enum FileOpenOutcome
{
    /// <summary>A regular file inside the workspace, open for reading.</summary>
    Opened,

    /// <summary>A FIFO, socket, device, directory or symlink: never read.</summary>
    NotRegularFile,

    /// <summary>The opened file turned out to lie outside the workspace (a directory was swapped for a link): refused.</summary>
    OutsideWorkspace,
}

/// <summary>
/// Opens workspace files for reading so that a read can neither block nor leave the workspace. On
/// Linux the file is opened non-blocking without following a final symlink (a FIFO cannot stall a
/// hash worker), its type is taken from the open descriptor (statx), and the descriptor's real path
/// (/proc/self/fd) must lie under the workspace's real path: a parent directory replaced by a link
/// between a check and the open is caught after the open, where no race is left. Elsewhere a plain
/// open after the caller's checks.
/// </summary>
public sealed partial class WorkspaceFileOpener(string rootPath)
{
    private string? _realRoot;

    /// <summary>Opens <paramref name="fullPath"/>; throws the usual IO exceptions when it is missing or unreadable.</summary>
    public FileOpenOutcome Open(string fullPath, out SafeFileHandle? handle)
    {
        handle = null;
        if (!OperatingSystem.IsLinux())
        {
            handle = File.OpenHandle(
                fullPath,
                FileMode.Open,
                FileAccess.Read,
                FileShare.ReadWrite | FileShare.Delete
            );
            return FileOpenOutcome.Opened;
        }
        var opened = OpenLinux(fullPath);
        if (opened is null)
        {
            return FileOpenOutcome.NotRegularFile;
        }
        try
        {
            if (!IsRegularFile(opened))
            {
                opened.Dispose();
                return FileOpenOutcome.NotRegularFile;
            }
            // The root's real path is taken once and kept: a root swapped for a link later must not move
            // what counts as inside (the workspace then stops, see RootIdentity).
            if (!IsInside(DescriptorPath(opened), _realRoot ??= RealPath(rootPath)))
            {
                opened.Dispose();
                return FileOpenOutcome.OutsideWorkspace;
            }
            handle = opened;
            return FileOpenOutcome.Opened;
        }
        catch
        {
            opened.Dispose();
            throw;
        }
    }

    private static bool IsInside(string? path, string? root) =>
        path is not null
        && root is not null
        && (root == "/" || path.StartsWith(root + "/", StringComparison.Ordinal));

    /// <summary>Null for a symlink, a socket or a device without a driver (not readable as a file).</summary>
    [SupportedOSPlatform("linux")]
    private static SafeFileHandle? OpenLinux(string fullPath)
    {
        var fd = Native.Open(
            fullPath,
            Native.ReadOnly | Native.NonBlocking | Native.CloseOnExec | Native.NoFollow
        );
        if (fd >= 0)
        {
            return new SafeFileHandle(fd, ownsHandle: true);
        }
        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            Native.ErrorLoop or Native.ErrorNoDeviceOrAddress => null,
            Native.ErrorNoEntry => throw new FileNotFoundException(
                $"Could not find file '{fullPath}'",
                fullPath
            ),
            Native.ErrorNotDirectory => throw new DirectoryNotFoundException(
                $"Could not find a part of the path '{fullPath}'"
            ),
            Native.ErrorAccess or Native.ErrorPermission => throw new UnauthorizedAccessException(
                $"Access to the path '{fullPath}' is denied."
            ),
            _ => throw new IOException(
                $"Cannot open '{fullPath}': {Marshal.GetPInvokeErrorMessage(errno)}",
                errno
            ),
        };
    }

    [SupportedOSPlatform("linux")]
    private static unsafe bool IsRegularFile(SafeFileHandle handle)
    {
        var buffer = stackalloc byte[LinuxStatx.Size];
        var success = false;
        handle.DangerousAddRef(ref success);
        try
        {
            if (
                LinuxStatx.Call(
                    (int)handle.DangerousGetHandle(),
                    "",
                    LinuxStatx.AtEmptyPath,
                    LinuxStatx.MaskType,
                    buffer
                ) != 0
            )
            {
                throw new IOException(
                    $"statx failed: {Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError())}"
                );
            }
            return LinuxStatx.FileType(buffer) == LinuxStatx.RegularFile;
        }
        finally
        {
            handle.DangerousRelease();
        }
    }

    private static string? DescriptorPath(SafeFileHandle handle) =>
        new FileInfo($"/proc/self/fd/{handle.DangerousGetHandle()}").LinkTarget;

    /// <summary>The root with every link resolved, as the kernel sees it; null when it cannot be opened.</summary>
    [SupportedOSPlatform("linux")]
    private static string? RealPath(string path)
    {
        var fd = Native.Open(path, Native.PathOnly | Native.CloseOnExec);
        if (fd < 0)
        {
            return null;
        }
        using var directory = new SafeFileHandle(fd, ownsHandle: true);
        return DescriptorPath(directory);
    }

    [SupportedOSPlatform("linux")]
    private static partial class Native
    {
        public const int ReadOnly = 0;
        public const int NonBlocking = 0x800;
        public const int CloseOnExec = 0x80000;
        public const int PathOnly = 0x200000; // O_PATH

        /// <summary>O_NOFOLLOW: 0100000 on arm and arm64, 0400000 on x86, x64 and the other generic ABIs.</summary>
        public static readonly int NoFollow = RuntimeInformation.ProcessArchitecture
            is Architecture.Arm
                or Architecture.Arm64
                or Architecture.Armv6
            ? 0x8000
            : 0x20000;

        public const int ErrorPermission = 1;
        public const int ErrorNoEntry = 2;
        public const int ErrorNoDeviceOrAddress = 6;
        public const int ErrorAccess = 13;
        public const int ErrorNotDirectory = 20;
        public const int ErrorLoop = 40;

        [LibraryImport(
            "libc",
            EntryPoint = "open",
            SetLastError = true,
            StringMarshalling = StringMarshalling.Utf8
        )]
        public static partial int Open(string path, int flags);
    }
}
