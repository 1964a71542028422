namespace FileSync.Edge.Tests.Installer;

/// <summary>A fact that runs an installer script with bash; skipped with the reason where it cannot run.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class BashFactAttribute : FactAttribute
{
    public BashFactAttribute(bool linuxOnly = false)
    {
        if (OperatingSystem.IsWindows() || BuiltExecutable.FindOnPath("bash") is null)
        {
            Skip = "the installer scripts need bash (not on Windows)";
        }
        else if (linuxOnly && !OperatingSystem.IsLinux())
        {
            Skip = "the Linux installer runs on Linux";
        }
    }
}
