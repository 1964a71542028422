using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace FileSync.Edge.Uplink;

/// <summary>
/// How many bytes of ours still wait in a socket's send queue (not yet acknowledged by the peer): Linux
/// <c>ioctl(SIOCOUTQ)</c>, macOS <c>getsockopt(SO_NWRITE)</c>. The kernel may take megabytes at once,
/// so on a slow link the agent's writes finish long before the data is through; a queue that shrinks
/// shows the upload still draining. Null where the system cannot tell (Windows).
/// </summary>
internal static partial class SocketSendQueue
{
    private const nuint LinuxSiocOutq = 0x5411;
    private const int MacSolSocket = 0xffff;
    private const int MacSoNWrite = 0x1024;

    public static int? QueuedBytes(Socket socket)
    {
        try
        {
            var handle = socket.SafeHandle;
            if (handle.IsInvalid || handle.IsClosed)
            {
                return null;
            }
            var fd = (int)handle.DangerousGetHandle();
            if (OperatingSystem.IsLinux())
            {
                return Ioctl(fd, LinuxSiocOutq, out var queued) == 0 ? queued : null;
            }
            if (OperatingSystem.IsMacOS())
            {
                var length = sizeof(int);
                return GetSockOpt(fd, MacSolSocket, MacSoNWrite, out var queued, ref length) == 0
                    ? queued
                    : null;
            }
        }
        catch (ObjectDisposedException)
        {
            // The connection is gone.
        }
        return null;
    }

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    private static partial int Ioctl(int fd, nuint request, out int value);

    [LibraryImport("libc", EntryPoint = "getsockopt", SetLastError = true)]
    private static partial int GetSockOpt(
        int fd,
        int level,
        int name,
        out int value,
        ref int length
    );
}
