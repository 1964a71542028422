namespace FileSync.Edge.Tests.Workspace;

/// <summary>A fact about a Linux kernel interface; skipped, with that reason, on other systems.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "needs Linux (/proc/self/smaps, madvise)";
        }
    }
}
