using FileSync.Protocol;

namespace FileSync.Edge.Tests.Protocol;

/// <summary>Text from the server is written to the log as one line of bounded length.</summary>
public sealed class LogTextTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("line one\nfake: second line", "line one?fake: second line")]
    [InlineData("\u001b[31mred\u001b[0m\r\t\0", "?[31mred?[0m???")]
    public void Clean_ControlCharacters_ReplacedSoTheLineCannotBeForged(
        string text,
        string expected
    )
    {
        Assert.Equal(expected, LogText.Clean(text));
    }

    [Fact]
    public void Clean_LongText_CutToTheLimitWithAnEllipsis()
    {
        var clean = LogText.Clean(new string('a', 10_000) + "\n");

        Assert.Equal(LogText.MaxLength + 1, clean.Length);
        Assert.EndsWith("…", clean);
    }
}
