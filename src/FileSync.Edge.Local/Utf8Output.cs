using System.Text;

namespace FileSync.Edge.Local;

/// <summary>
/// The encoding of everything the agent and the tray write for people: console output (on a console
/// and redirected alike: a pipe, the launcher's log file, the tray's "Show status"), UTF-8 without a
/// byte-order mark. Windows otherwise writes the console's code page (a Japanese file name became
/// <c>???</c>, "…" the byte 0x85); Linux and macOS write UTF-8 already.
/// </summary>
public static class Utf8Output
{
    /// <summary>UTF-8 without a byte-order mark.</summary>
    public static Encoding Encoding { get; } =
        new UTF8Encoding(encoderShouldEmitUTF8Identifier: false);

    /// <summary>The encoding the console must be given on this OS; null where it is UTF-8 already.</summary>
    public static Encoding? ConsoleEncodingFor(bool isWindows) => isWindows ? Encoding : null;
}
