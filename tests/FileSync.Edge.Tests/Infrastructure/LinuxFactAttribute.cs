namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>A fact about a Linux facility (inotify, /proc, madvise, byte-string names); skipped on other systems with the reason it gives.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxFactAttribute : FactAttribute
{
    public LinuxFactAttribute(string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory about a Linux facility; skipped on other systems with the reason it gives.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LinuxTheoryAttribute : TheoryAttribute
{
    public LinuxTheoryAttribute(string reason)
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = reason;
        }
    }
}
