using System.Buffers;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Unicode;

namespace FileSync.Edge.Workspace;

/// <summary>
/// File names that are not valid UTF-8 (a Latin-1 name, a CESU-8 surrogate). .NET turns their
/// invalid bytes into U+FFFD, so such a path cannot be opened again, and the protocol (JSON text)
/// cannot carry it: these files are skipped, counted and named — shown with each invalid byte as
/// <c>\xNN</c>, read from the directory itself (Linux: <c>readdir</c>).
/// </summary>
public static partial class UndecodableNames
{
    /// <summary>True when a name .NET handed us may stand for bytes that are not UTF-8.</summary>
    public static bool MayBeUndecodable(string name) =>
        name.Contains('\uFFFD', StringComparison.Ordinal);

    /// <summary>The names in <paramref name="fullDirectory"/> that are not valid UTF-8, escaped; empty when none or unreadable.</summary>
    public static List<string> In(string fullDirectory) =>
        OperatingSystem.IsLinux() ? Linux.List(fullDirectory) : [];

    /// <summary>Valid UTF-8 sequences as text, every other byte as <c>\xNN</c>.</summary>
    public static string Escape(ReadOnlySpan<byte> name)
    {
        var text = new StringBuilder(name.Length + 8);
        while (!name.IsEmpty)
        {
            var status = Rune.DecodeFromUtf8(name, out var rune, out var consumed);
            if (status == OperationStatus.Done)
            {
                text.Append(rune.ToString());
            }
            else
            {
                for (var i = 0; i < consumed; i++)
                {
                    text.Append("\\x")
                        .Append(
                            name[i]
                                .ToString("X2", System.Globalization.CultureInfo.InvariantCulture)
                        );
                }
            }
            name = name[consumed..];
        }
        return text.ToString();
    }

    [SupportedOSPlatform("linux")]
    private static unsafe partial class Linux
    {
        /// <summary>Offset of <c>d_name</c> in glibc's and musl's 64-bit <c>struct dirent</c> (ino, off, reclen, type).</summary>
        private const int NameOffset = 19;

        public static List<string> List(string fullDirectory)
        {
            var names = new List<string>();
            var directory = OpenDirectory(fullDirectory);
            if (directory == IntPtr.Zero)
            {
                return names;
            }
            try
            {
                while (ReadDirectory(directory) is var entry && entry != IntPtr.Zero)
                {
                    var name = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(
                        (byte*)entry + NameOffset
                    );
                    if (!Utf8.IsValid(name))
                    {
                        names.Add(Escape(name));
                    }
                }
            }
            finally
            {
                _ = CloseDirectory(directory);
            }
            names.Sort(StringComparer.Ordinal);
            return names;
        }

        [LibraryImport(
            "libc",
            EntryPoint = "opendir",
            SetLastError = true,
            StringMarshalling = StringMarshalling.Utf8
        )]
        private static partial IntPtr OpenDirectory(string path);

        [LibraryImport("libc", EntryPoint = "readdir", SetLastError = true)]
        private static partial IntPtr ReadDirectory(IntPtr directory);

        [LibraryImport("libc", EntryPoint = "closedir", SetLastError = true)]
        private static partial int CloseDirectory(IntPtr directory);
    }
}
