using FileSync.Edge.Local;

namespace FileSync.Edge.Hosting;

/// <summary>Makes the console's output UTF-8 without a BOM where it is not already (see <see cref="Utf8Output"/>).</summary>
public static class Utf8Console
{
    /// <summary>Call first thing in Main.</summary>
    public static void Use()
    {
        if (Utf8Output.ConsoleEncodingFor(OperatingSystem.IsWindows()) is not { } encoding)
        {
            return;
        }
        try
        {
            // Also recreates Console.Out and Console.Error with this encoding.
            Console.OutputEncoding = encoding;
        }
        catch (IOException)
        {
            // No console attached: the writers below still get UTF-8.
        }
        if (Console.IsOutputRedirected || Console.OutputEncoding.CodePage != encoding.CodePage)
        {
            Console.SetOut(Writer(Console.OpenStandardOutput()));
        }
        if (Console.IsErrorRedirected || Console.OutputEncoding.CodePage != encoding.CodePage)
        {
            Console.SetError(Writer(Console.OpenStandardError()));
        }

        StreamWriter Writer(Stream stream) =>
            new(stream, encoding, bufferSize: 256, leaveOpen: true) { AutoFlush = true };
    }
}
