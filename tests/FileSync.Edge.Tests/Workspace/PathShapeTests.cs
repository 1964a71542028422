using FileSync.Edge.Workspace;

namespace FileSync.Edge.Tests.Workspace;

/// <summary>The Windows name rules of <see cref="PathShape"/>, checked on every OS.</summary>
public sealed class PathShapeTests
{
    [Theory]
    [InlineData(@"C:\ws\a.txt::$DATA", "data streams")]
    [InlineData(@"C:\ws\a.txt:hidden", "data streams")]
    [InlineData(@"C:\ws\.env.", "dot or a space")]
    [InlineData(@"C:\ws\.env ", "dot or a space")]
    [InlineData(@"C:\ws\ENV~1", "short names")]
    [InlineData(@"C:\ws\PROGRA~1\x.txt", "short names")]
    [InlineData(@"C:\ws\con.txt", "device name")]
    [InlineData(@"C:\ws\sub\COM1", "device name")]
    [InlineData(@"C:/ws/aux", "device name")]
    public void CheckWindowsSegments_NamesWindowsWouldOpenDifferently_Refused(
        string path,
        string reason
    )
    {
        Assert.Contains(reason, PathShape.CheckWindowsSegments(path));
    }

    [Theory]
    [InlineData(@"C:\ws\a.txt")]
    [InlineData(@"C:\ws\my~file.txt")]
    [InlineData(@"C:\ws\sub\..\console.log")]
    [InlineData(@"C:\ws\.gitignore")]
    public void CheckWindowsSegments_OrdinaryNames_Accepted(string path)
    {
        Assert.Null(PathShape.CheckWindowsSegments(path));
    }

    [Theory]
    [InlineData("CON", true)]
    [InlineData("con.txt", true)]
    [InlineData("Nul", true)]
    [InlineData("AUX.tar.gz", true)]
    [InlineData("COM1", true)]
    [InlineData("lpt9.log", true)]
    [InlineData("COM²", true)]
    [InlineData("CONOUT$", true)]
    [InlineData("PRN ", true)]
    [InlineData("CONSOLE", false)]
    [InlineData("COM10", false)]
    [InlineData("aux1", false)]
    [InlineData("a.con", false)]
    [InlineData("LPT", false)]
    public void IsWindowsReservedName_DeviceNames_Recognised(string segment, bool reserved)
    {
        Assert.Equal(reserved, PathShape.IsWindowsReservedName(segment));
    }
}
