using FileSync.Edge.Local;

namespace FileSync.Tray;

/// <summary>
/// The tray's console output (its log on stderr, <c>--help</c>) in UTF-8 without a BOM where it is not
/// already (see <see cref="Utf8Output"/>). A windowless program on Windows has no console: its output
/// goes wherever it was redirected, in UTF-8.
/// </summary>
internal static class TrayConsole
{
    public static void UseUtf8()
    {
        if (Utf8Output.ConsoleEncodingFor(OperatingSystem.IsWindows()) is not { } encoding)
        {
            return;
        }
        try
        {
            Console.OutputEncoding = encoding;
        }
        catch (IOException)
        {
            // No console attached (the windowless tray): the writers below still get UTF-8.
        }
        Console.SetOut(Writer(Console.OpenStandardOutput()));
        Console.SetError(Writer(Console.OpenStandardError()));

        StreamWriter Writer(Stream stream) =>
            new(stream, encoding, bufferSize: 256, leaveOpen: true) { AutoFlush = true };
    }
}
