namespace FileSync.Edge.Tests.Infrastructure;

/// <summary>
/// A fact that needs a Unix system (POSIX file modes, signals, FIFOs, Unix sockets, symbolic links
/// without privileges); skipped on Windows with the reason it gives.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixFactAttribute : FactAttribute
{
    public UnixFactAttribute(string reason)
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = reason;
        }
    }
}

/// <summary>A theory that needs a Unix system; skipped on Windows with the reason it gives.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UnixTheoryAttribute : TheoryAttribute
{
    public UnixTheoryAttribute(string reason)
    {
        if (OperatingSystem.IsWindows())
        {
            Skip = reason;
        }
    }
}
