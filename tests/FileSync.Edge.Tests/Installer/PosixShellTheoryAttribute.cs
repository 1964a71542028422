namespace FileSync.Edge.Tests.Installer;

/// <summary>A theory that runs <c>/bin/sh</c>; skipped with the reason where there is none (Windows).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PosixShellTheoryAttribute : TheoryAttribute
{
    public PosixShellTheoryAttribute()
    {
        if (!File.Exists("/bin/sh"))
        {
            Skip = "needs /bin/sh (the launchd wrapper is a POSIX shell command)";
        }
    }
}
