using System.Diagnostics;
using System.Text;
using FileSync.Edge.Local;

namespace FileSync.Edge.Tests.Local;

/// <summary>Console output is UTF-8 without a BOM on every OS (Windows is told so; see <see cref="Utf8Output"/>).</summary>
public sealed class Utf8OutputTests
{
    [Fact]
    public void ConsoleEncodingFor_Windows_Utf8WithoutByteOrderMark()
    {
        var encoding = Utf8Output.ConsoleEncodingFor(isWindows: true);

        Assert.NotNull(encoding);
        Assert.Equal(65001, encoding.CodePage);
        Assert.Empty(encoding.GetPreamble());
        Assert.Equal("\u2026"u8.ToArray(), encoding.GetBytes("\u2026"));
    }

    [Fact]
    public void ConsoleEncodingFor_LinuxAndMacOS_LeftAlone()
    {
        Assert.Null(Utf8Output.ConsoleEncodingFor(isWindows: false));
    }

    [Fact]
    public async Task Help_Redirected_EllipsisIsUtf8Bytes()
    {
        var info = BuiltExecutable.StartInfo("filesync-edge", ["--help"]);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = Process.Start(info)!;
        using var bytes = new MemoryStream();
        var copy = process.StandardOutput.BaseStream.CopyToAsync(bytes);
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(Wait.Generous);
        await copy.WaitAsync(Wait.Generous);

        Assert.True(process.ExitCode == 0, await errors);
        var output = bytes.ToArray();
        Assert.False(output.AsSpan().StartsWith(Encoding.UTF8.GetPreamble()), "no BOM");
        Assert.True(output.AsSpan().IndexOf("\u2026"u8) >= 0, "'…' as the UTF-8 bytes E2 80 A6");
        Assert.DoesNotContain((byte)0x85, output.Where((b, i) => i == 0 || output[i - 1] < 0x80));
    }
}
