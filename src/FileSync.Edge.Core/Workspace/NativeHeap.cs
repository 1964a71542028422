using System.Runtime.InteropServices;

namespace FileSync.Edge.Workspace;

/// <summary>
/// The C library's heap (glibc, Linux): what native code — Brotli, OpenSSL, the runtime itself — freed
/// stays in its arenas, one per thread that allocated, until <c>malloc_trim</c> hands the free pages
/// back. A C library without it (musl) keeps them; nothing else changes.
/// </summary>
internal static partial class NativeHeap
{
    private static int s_unavailable;

    /// <summary>Returns the free pages of every arena to the kernel; false where the C library cannot.</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux() || Volatile.Read(ref s_unavailable) != 0)
        {
            return false;
        }
        try
        {
            MallocTrim(0);
            return true;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            Volatile.Write(ref s_unavailable, 1);
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
